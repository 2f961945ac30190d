import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BlueskyBackfillPage, backfillBlueskySearch } from '../../src/collect/bluesky-backfill.ts';
import { type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';

/**
 * The Bluesky search backfill against the stand-in, whose search cursor stops 150 hits deep (as
 * Bluesky's "may not walk the whole result set"): time slices and deduplication must still bring every
 * post of the window's hashtags, each once, as the scenario's ground truth lists them.
 */

const DEPTH = 150;
let standIn: StandIn;

beforeAll(async () => {
  standIn = await startStandIn(
    {
      name: 'backfill',
      seed: 47,
      accounts: 80,
      posts: 2400,
      faults: { deletedPosts: { share: 0.03 } },
    },
    { searchDepth: DEPTH, rateLimits: { service: 4 }, rateLimitWindowMs: 1000 },
  );
});

afterAll(async () => {
  await standIn?.close();
});

async function collect(window: { from: Date; to: Date }) {
  const pages: BlueskyBackfillPage[] = [];
  let waits = 0;
  const stream = backfillBlueskySearch(standIn.client(), {
    queries: standIn.scenario.queries,
    ...window,
    waitOut: async (error) => {
      waits++;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, error.resetAt.getTime() - Date.now()) + 20),
      );
    },
  });
  for await (const page of stream) pages.push(page);
  return { pages, waits, posts: pages.flatMap((page) => page.posts) };
}

describe('Bluesky search backfill', () => {
  test('the whole window: every post of its hashtags exactly once, though one walk reaches 150', async () => {
    const { window, truth } = standIn.scenario;
    const expected = truth.campaignPosts({
      from: window.start,
      to: window.end,
      visibleAt: standIn.clock.now(),
    });
    expect(expected.length).toBeGreaterThan(4 * DEPTH);

    const { pages, waits, posts } = await collect({ from: window.start, to: window.end });
    const ids = posts.map((post) => post.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...expected].sort());
    // Slices overlap at their edges and the two queries share posts: the dedupe was needed.
    expect(pages.reduce((sum, page) => sum + page.repeated, 0)).toBeGreaterThan(0);
    expect(new Set(pages.map((page) => page.until.getTime())).size).toBeGreaterThan(4);
    // 4 searches a second: the walk met the limit and waited for its reset.
    expect(waits).toBeGreaterThan(0);
    for (const post of posts) {
      expect(post.createdAt >= window.start && post.createdAt < window.end).toBe(true);
      expect(post.hashtags.some((tag) => tag === 'ogp16' || tag === 'ogpsummit')).toBe(true);
    }
  });

  test('a window of a few hours, outside it nothing', async () => {
    const from = new Date(standIn.scenario.window.start.getTime() + 32 * 3_600_000);
    const to = new Date(from.getTime() + 9 * 3_600_000);
    const expected = standIn.scenario.truth.campaignPosts({ from, to, visibleAt: standIn.clock.now() });
    const { posts } = await collect({ from, to });
    expect(posts.map((post) => post.id).sort()).toEqual([...expected].sort());
    expect(expected.length).toBeGreaterThan(DEPTH);
  });
});
