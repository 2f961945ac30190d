import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { backfillQuery } from '../../src/collect/backfill-query.ts';
import type { CollectContext } from '../../src/collect/context.ts';
import { pollQuery } from '../../src/collect/poll-query.ts';
import { pollTimeline } from '../../src/collect/poll-timeline.ts';
import { refreshPostMetrics } from '../../src/collect/refresh-metrics.ts';
import { snapshotWatchlist } from '../../src/collect/snapshot-accounts.ts';
import { activeQueries, findCampaign } from '../../src/db/campaigns.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import type { Scenario } from '../../src/simulator/types.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { createTestDatabase, defined, silentLog, type TestDatabase } from '../support/services.ts';

const scenario = generateScenario({ seed: 11, accounts: 120, posts: 3000 });
const afterSummit = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const queryTags = scenario.queries.map((query) => query.replace('#', '').toLowerCase());

/** The posts a search for the campaign's queries must return, computed from the scenario alone. */
const searchable = (s: Scenario, now: Date) =>
  s.posts.filter(
    (post) =>
      post.kind !== 'repost' &&
      post.createdAt.getTime() <= now.getTime() - 30_000 &&
      post.createdAt.getTime() > now.getTime() - 7 * 24 * 3600_000 &&
      post.hashtags.some((tag) => queryTags.includes(tag.toLowerCase())),
  );

const applyScenario = async (t: TestDatabase, now: Date) => {
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist: scenario.watchlist,
    }),
    'summit.json',
  );
  return (await applyCampaign(t.db, file, now)).campaignId;
};

const count429 = (x: XClient) => [...x.requests].filter(([key]) => key.endsWith(' 429')).length;
/** Search requests: the pages a poll or backfill costs (the monthly-cap check also reads /2/usage/tweets). */
const requestTotal = (x: XClient) =>
  [...x.requests].filter(([key]) => key.startsWith('/2/tweets/search/')).reduce((sum, [, n]) => sum + n, 0);

describe('collection against the simulator', () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let ctx: CollectContext;
  let campaignId: number;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    t = await createTestDatabase();
    campaignId = await applyScenario(t, clock.now());
    ctx = {
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
      log: silentLog,
    };
  });
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test('a first poll, then a backfill, store every post of the reach once, in pages of 100', async () => {
    const expected = searchable(scenario, clock.now());
    for (const query of await activeQueries(t.db, campaignId)) {
      expect(await pollQuery(ctx, query.id)).toMatchObject({ pages: 1 });
      const before = requestTotal(ctx.x);
      const backfill = await backfillQuery(ctx, query.id);
      expect(backfill.done).toBe(true);
      const matched = expected.filter((post) =>
        post.hashtags.some((tag) => tag.toLowerCase() === query.query.slice(1).toLowerCase()),
      );
      // no page twice: the walk costs one request per 100 posts (the last page may be short)
      expect(requestTotal(ctx.x) - before).toBe(backfill.pages);
      expect(backfill.pages).toBeLessThanOrEqual(Math.ceil(Math.max(0, matched.length - 100) / 100) + 1);
    }
    const stored = await t.db.selectFrom('campaign_posts').select('post_id').distinct().execute();
    expect(new Set(stored.map((row) => row.post_id))).toEqual(new Set(expected.map((post) => post.id)));
    const campaign = await findCampaign(t.db, 'summit');
    const board = await leaderboard(t.db, defined(campaign, 'campaign'), {
      metric: 'posts',
      scope: 'all',
      limit: 1000,
    });
    expect(board.rows.map(({ rank, username, value }) => ({ rank, username, value }))).toEqual(
      scenario.truth.postsLeaderboard().map(({ rank, username, value }) => ({ rank, username, value })),
    );
  });

  test('a live poll that finds nothing new costs exactly one request', async () => {
    const [first] = await activeQueries(t.db, campaignId);
    const query = defined(first, 'a query');
    const before = requestTotal(ctx.x);
    expect(await pollQuery(ctx, query.id)).toMatchObject({ pages: 1, postsNew: 0 });
    expect(requestTotal(ctx.x) - before).toBe(1);
  });

  test('follower snapshots read the watchlist at the instant they are taken', async () => {
    await snapshotWatchlist(ctx, campaignId);
    const rows = await t.db
      .selectFrom('account_snapshots as s')
      .innerJoin('accounts as a', 'a.id', 's.account_id')
      .select(['a.username', 's.followers_count', 's.observed_at'])
      .where('a.username', 'in', [scenario.homeUsername, ...scenario.watchlist])
      .execute();
    expect(rows).toHaveLength(1 + scenario.watchlist.length);
    for (const row of rows) {
      expect(row.followers_count).toBe(scenario.truth.followerSeries(row.username, [row.observed_at])[0]);
    }
  });

  test("the home account's timeline brings its reposts of campaign posts into the campaign", async () => {
    const home = defined(
      scenario.users.find((user) => user.username === scenario.homeUsername),
      'home',
    );
    const campaignIds = new Set(searchable(scenario, clock.now()).map((post) => post.id));
    const homeReposts = scenario.posts.filter(
      (post) =>
        post.authorId === home.id &&
        post.kind === 'repost' &&
        post.createdAt.getTime() <= clock.now().getTime() &&
        campaignIds.has(post.referencedId ?? ''),
    );
    await pollTimeline(ctx, campaignId, scenario.homeUsername);
    const linked = await t.db
      .selectFrom('campaign_posts as cp')
      .innerJoin('posts as p', 'p.id', 'cp.post_id')
      .select('p.id')
      .distinct()
      .where('p.author_id', '=', home.id)
      .where('p.kind', '=', 'repost')
      .execute();
    const linkedIds = new Set(linked.map((row) => row.id));
    // Every repost of a campaign post since the window opened is in; nothing else is.
    const inWindow = homeReposts.filter((post) => post.createdAt >= scenario.window.start);
    expect(inWindow.length).toBeGreaterThan(0);
    for (const post of inWindow) expect(linkedIds).toContain(post.id);
    const allowed = new Set(homeReposts.map((post) => post.id));
    for (const id of linkedIds) expect(allowed).toContain(id);
  });

  test('engagement is re-read when a checkpoint passes, and every reading is a snapshot', async () => {
    const before = await t.db
      .selectFrom('post_metric_snapshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect((await refreshPostMetrics(ctx, campaignId)).posts).toBe(0); // nothing due yet
    clock.set(new Date(scenario.window.end.getTime() + 8 * 24 * 3600_000)); // past every 7-day checkpoint
    const result = await refreshPostMetrics(ctx, campaignId, { maxPosts: 100_000 });
    expect(result.posts).toBeGreaterThan(0);
    const after = await t.db
      .selectFrom('post_metric_snapshots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(result.posts);
    const byId = new Map(scenario.posts.map((post) => [post.id, post]));
    const sample = await t.db
      .selectFrom('posts')
      .select(['id', 'like_count', 'metrics_observed_at'])
      .limit(50)
      .execute();
    for (const row of sample) {
      expect(row.like_count).toBe(byId.get(row.id)?.metricsAt(row.metrics_observed_at).like);
    }
    expect((await refreshPostMetrics(ctx, campaignId)).posts).toBe(0); // read once per checkpoint
    clock.set(afterSummit);
  });
});

describe('collection under tight rate limits', () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let wallClock = Date.now();
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;

  beforeAll(async () => {
    simulator = await startSimulator({
      scenario,
      clock,
      bearerToken: token,
      port: 0,
      rateLimits: { search: 4 },
      realNow: () => wallClock,
    });
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test('a backfill stops before the window is spent, resumes from its token, and ends exactly right with no 429', async () => {
    const campaignId = await applyScenario(t, clock.now());
    const [first] = await activeQueries(t.db, campaignId);
    const query = defined(first, 'a query');
    const clients: XClient[] = [];
    const newContext = () => {
      // A new client per 15-minute window: what a restarted worker would have.
      const x = new XClient({ bearerToken: token, baseUrl: simulator.baseUrl });
      clients.push(x);
      return { db: t.db, x, clock, log: silentLog };
    };
    await pollQuery(newContext(), query.id);
    let done = false;
    let windows = 0;
    while (!done && windows < 50) {
      const ctx = newContext();
      try {
        done = (await backfillQuery(ctx, query.id)).done;
      } catch (error) {
        expect((error as Error).name).toBe('XRateLimitError');
      }
      windows++;
      wallClock += 15 * 60_000 + 1000;
    }
    expect(done).toBe(true);
    expect(windows).toBeGreaterThan(2);
    expect(clients.reduce((sum, x) => sum + count429(x), 0)).toBe(0);
    const runs = await t.db
      .selectFrom('collection_runs')
      .select(['outcome'])
      .where('kind', '=', 'backfill')
      .execute();
    expect(runs.filter((run) => run.outcome === 'rate_limited').length).toBe(windows - 1);

    const expected = searchable(scenario, clock.now()).filter((post) =>
      post.hashtags.some((tag) => tag.toLowerCase() === query.query.slice(1).toLowerCase()),
    );
    const pages = clients.reduce((sum, x) => sum + requestTotal(x), 0);
    expect(pages).toBe(Math.ceil(expected.length / 100) + (expected.length % 100 === 0 ? 1 : 0));
    const stored = await t.db
      .selectFrom('campaign_posts')
      .select('post_id')
      .where('query_id', '=', query.id)
      .execute();
    expect(stored.map((row) => row.post_id).sort()).toEqual(expected.map((post) => post.id).sort());
  });
});
