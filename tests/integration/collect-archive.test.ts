import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { archivePartEnd, archiveQuery } from '../../src/collect/archive-query.ts';
import { backfillQuery } from '../../src/collect/backfill-query.ts';
import type { CollectContext } from '../../src/collect/context.ts';
import { pollQuery } from '../../src/collect/poll-query.ts';
import { activeQueries } from '../../src/db/campaigns.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import type { AccessTier } from '../../src/simulator/x/tiers.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * A campaign window that straddles recent search's 7-day reach: its newer part comes by recent
 * search (poll, walk back), its older part by the full archive, and the two meet without a gap; each
 * post says which way it came. On a tier without the archive, the refusal is one line in the run log
 * and the recent part is collected all the same.
 */
const scenario = generateScenario({ seed: 11, accounts: 80, posts: 2000 });
const dayMs = 24 * 3600_000;
/** The window ended 5 days ago: its first day is beyond recent search's reach. */
const now = new Date(scenario.window.end.getTime() + 5 * dayMs);
const reachStart = now.getTime() - 7 * dayMs;
const tags = scenario.queries.map((query) => query.slice(1).toLowerCase());

/** Campaign posts (any query) written since the window's start, as search finds them at `now`. */
const expectedPosts = scenario.posts.filter(
  (post) =>
    post.kind !== 'repost' &&
    post.createdAt >= scenario.window.start &&
    post.createdAt.getTime() <= now.getTime() - 30_000 &&
    post.hashtags.some((tag) => tags.includes(tag.toLowerCase())),
);

async function collectWith(tier: AccessTier | undefined) {
  const clock = new ManualClock(now);
  const token = randomBytes(16).toString('hex');
  const simulator = await startSimulator({
    scenario,
    clock,
    bearerToken: token,
    port: 0,
    ...(tier ? { tier } : {}),
  });
  const t = await createTestDatabase();
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
    }),
    'summit.json',
  );
  const { campaignId } = await applyCampaign(t.db, file, now);
  const ctx: CollectContext = {
    db: t.db,
    x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
    clock,
    log: silentLog,
  };
  const archives = [];
  for (const query of await activeQueries(t.db, campaignId)) {
    await pollQuery(ctx, query.id);
    // Before the walk back is done, the archive waits: the recent part tells where it ends.
    const archiveRequests = simulator.stats().requests.searchAll;
    expect((await archiveQuery(ctx, query.id)).pages).toBe(0);
    expect(simulator.stats().requests.searchAll).toBe(archiveRequests);
    await backfillQuery(ctx, query.id);
    archives.push(await archiveQuery(ctx, query.id));
  }
  return { t, simulator, archives };
}

describe('a window half beyond recent search', () => {
  let t: TestDatabase;
  let simulator: RunningSimulator;
  let archives: Awaited<ReturnType<typeof archiveQuery>>[];
  beforeAll(async () => {
    ({ t, simulator, archives } = await collectWith(undefined));
  }, 120_000);
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test('recent search and the archive together hold every post of the window once, and say how', async () => {
    expect(archives.every((result) => result.done && !result.refused)).toBe(true);
    const stored = await t.db
      .selectFrom('posts')
      .innerJoin('campaign_posts', 'campaign_posts.post_id', 'posts.id')
      .select(['posts.id', 'posts.source', 'posts.created_at'])
      .where('posts.created_at', '>=', scenario.window.start)
      .distinct()
      .execute();
    expect(new Set(stored.map((row) => row.id))).toEqual(new Set(expectedPosts.map((post) => post.id)));
    const archived = stored.filter((row) => row.source === 'archive');
    expect(archived.length).toBeGreaterThan(100);
    for (const row of stored) {
      // Recent search ran first: the overlap hour was already stored from it.
      expect(row.source, row.id).toBe(row.created_at.getTime() < reachStart ? 'archive' : 'recent');
    }
    const readings = await t.db.selectFrom('post_metric_snapshots').select(['source']).distinct().execute();
    expect(new Set(readings.map((row) => row.source))).toEqual(new Set(['recent', 'archive']));
  });

  test('the archive part ends an hour inside the reach, fixed with its cursor; a rerun reads nothing', async () => {
    const queries = await t.db.selectFrom('campaign_queries').selectAll().execute();
    for (const query of queries) {
      expect(query.archive_done).toBe(true);
      expect(query.archive_token).toBeNull();
      expect(query.archive_end?.toISOString()).toBe(
        archivePartEnd({ window_end: scenario.window.end }, now).toISOString(),
      );
      expect(query.archive_end?.getTime()).toBe(reachStart + 3600_000);
    }
    const before = simulator.stats().requests.searchAll;
    const ctx = {
      db: t.db,
      x: new XClient({ bearerToken: 'unused', baseUrl: simulator.baseUrl }),
      clock: new ManualClock(now),
      log: silentLog,
    };
    for (const query of queries) expect((await archiveQuery(ctx, query.id)).done).toBe(true);
    expect(simulator.stats().requests.searchAll).toBe(before);
  });
});

describe('a tier without the archive', () => {
  test('the refusal is one clear line in the run log; the recent part is collected', async () => {
    const { t, simulator, archives } = await collectWith('basic');
    try {
      for (const result of archives) {
        expect(result.refused).toMatch(/^X refused the full-archive search \(403 client-not-enrolled\)/);
        expect(result.done).toBe(false);
      }
      const runs = await t.db
        .selectFrom('collection_runs')
        .select(['kind', 'outcome', 'error'])
        .where('kind', '=', 'archive')
        .execute();
      expect(runs).toHaveLength(scenario.queries.length);
      for (const run of runs) {
        expect(run.outcome).toBe('failed');
        expect(run.error).toMatch(
          /^ArchiveRefusedError: X refused the full-archive search \(403 client-not-enrolled\): this access tier has none, so the window's part from 2016-12-06 23:00 UTC to .* is not collected; recent search goes on/,
        );
      }
      const stored = await t.db
        .selectFrom('campaign_posts')
        .innerJoin('posts', 'posts.id', 'campaign_posts.post_id')
        .select('posts.id')
        .distinct()
        .execute();
      const recent = expectedPosts.filter((post) => post.createdAt.getTime() > reachStart);
      expect(new Set(stored.map((row) => row.id))).toEqual(new Set(recent.map((post) => post.id)));
    } finally {
      await simulator.close();
      await t.drop();
    }
  }, 120_000);
});
