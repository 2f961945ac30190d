import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * The whole path: the simulator over HTTP → the real twitter-api-v2 client → BullMQ workers on the
 * real Redis (job schedulers, tick fan-out, polls) → PostgreSQL → the leaderboard API. The
 * leaderboard must equal the scenario's ground truth, computed by the generator on its own.
 */
describe('simulator → workers → PostgreSQL → leaderboard', () => {
  const scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
  // The summit's second day: the leaderboard fills as event time moves on (see the first test).
  const clock = new ManualClock(new Date(scenario.window.start.getTime() + 30 * 3600_000));
  const prefix = uniqueName('bull');
  const leaderboardOf = async (app: ReturnType<typeof createDashboard>) => {
    const response = await app.request('/api/v1/campaigns/summit/leaderboard?metric=posts&limit=500');
    return (await response.json()) as {
      total: number;
      rows: Array<{ rank: number; username: string; value: number }>;
    };
  };
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let runtime: CollectionRuntime;
  let subscriber: Redis;
  let x: XClient;
  const updates: string[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    t = await createTestDatabase();
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
    await applyCampaign(t.db, file, clock.now());
    x = new XClient({ bearerToken: token, baseUrl: simulator.baseUrl });
    subscriber = new Redis(testRedisUrl);
    await subscriber.subscribe(campaignUpdatedChannel(prefix));
    subscriber.on('message', (_channel, message) => updates.push(message));
    runtime = await startCollection({
      db: t.db,
      x,
      clock,
      log: silentLog,
      redisUrl: testRedisUrl,
      prefix,
      // Event time does not move here; run the campaign's schedules every 200 ms.
      schedules: { replay: { speed: 1e9, minEveryMs: 200 } },
    });
  });

  afterAll(async () => {
    for (const queue of Object.values(runtime?.queues ?? {})) await queue.obliterate({ force: true });
    await runtime?.close();
    subscriber?.disconnect();
    await simulator?.close();
    await t?.drop();
  });

  test('the leaderboard follows the event live, then equals the ground truth, through the API', async () => {
    const app = createDashboard({ db: t.db, clock, demo: false, log: silentLog });
    const expected = scenario.truth
      .postsLeaderboard()
      .map(({ rank, username, value }) => ({ rank, username, value }));
    expect(expected.length).toBeGreaterThan(10);
    const partial = await eventually(
      async () => {
        const json = await leaderboardOf(app);
        return json.total > 0 ? json : undefined;
      },
      { what: 'the first posts of the summit' },
    );
    expect(partial.total).toBeLessThan(expected.length);

    // Six hours after the summit: every post of the window exists, live polling is still on.
    clock.set(new Date(scenario.window.end.getTime() + 6 * 3600_000));
    const body = await eventually(
      async () => {
        const json = await leaderboardOf(app);
        return json.total === expected.length && json.rows.every((row, i) => row.value === expected[i]?.value)
          ? json
          : undefined;
      },
      { what: 'the collected leaderboard to reach the ground truth', timeoutMs: 25_000 },
    );
    expect(body.rows.map(({ rank, username, value }) => ({ rank, username, value }))).toEqual(expected);
    const home = body.rows.find((row) => row.username === scenario.homeUsername);
    expect(home?.rank).toBe(3);
  });

  test("the dashboard's /metrics counts the workers' X requests (through Redis)", async () => {
    const app = createDashboard({
      db: t.db,
      clock,
      demo: false,
      log: silentLog,
      queues: runtime?.queues,
      redisUrl: testRedisUrl,
      prefix,
    });
    try {
      const searches = async () => {
        const text = await (await app.request('/metrics')).text();
        const line = text
          .split('\n')
          .find((l) =>
            l.startsWith('tracker_x_requests_total{endpoint="/2/tweets/search/recent",status="200"}'),
          );
        return Number(line?.split(' ').at(-1) ?? 0);
      };
      const counted = await eventually(async () => ((await searches()) > 0 ? searches() : undefined), {
        what: 'search requests in /metrics',
      });
      // The workers keep polling: the client has sent at least what Redis has counted so far.
      const sent = [...x.requests].filter(([key]) => key.includes('search/recent') && key.endsWith(' 200'));
      expect(counted).toBeLessThanOrEqual(sent.reduce((sum, [, n]) => sum + n, 0));
    } finally {
      await app.close();
    }
  });

  test('every post is stored once, every query has caught up, and the runs are logged', async () => {
    const duplicates = await t.db
      .selectFrom('campaign_posts')
      .select(['post_id', 'query_id'])
      .groupBy(['post_id', 'query_id'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(duplicates).toEqual([]);
    const queries = await t.db.selectFrom('campaign_queries').select(['query', 'newest_id']).execute();
    for (const query of queries) expect(query.newest_id).not.toBeNull();
    const runs = await t.db.selectFrom('collection_runs').select(['kind', 'outcome', 'requests']).execute();
    expect(runs.some((run) => run.kind === 'poll' && run.outcome === 'ok' && run.requests > 0)).toBe(true);
    expect(
      await t.db
        .selectFrom('collection_runs')
        .select(['target', 'error'])
        .where('outcome', '=', 'failed')
        .execute(),
    ).toEqual([]);
    expect(updates.length).toBeGreaterThan(0);
  });

  test('the watchlist has follower snapshots equal to the simulated counts', async () => {
    const expected = [scenario.homeUsername, ...scenario.watchlist].map((username) => ({
      username,
      followers: scenario.truth.followerSeries(username, [clock.now()])[0],
      // (the clock stands still now: the snapshot taken at this instant is the one to check)
    }));
    const rows = await eventually(
      async () => {
        const found = await t.db
          .selectFrom('account_snapshots as s')
          .innerJoin('accounts as a', 'a.id', 's.account_id')
          .select(['a.username', 's.followers_count as followers'])
          .where('s.observed_at', '=', clock.now())
          .where(
            'a.username',
            'in',
            expected.map((account) => account.username),
          )
          .execute();
        return found.length === expected.length ? found : undefined;
      },
      { what: 'follower snapshots of the watchlist' },
    );
    expect(rows.sort((a, b) => a.username.localeCompare(b.username))).toEqual(
      expected.sort((a, b) => a.username.localeCompare(b.username)),
    );
    const linked = await t.db.selectFrom('campaign_accounts').select('account_id').execute();
    expect(linked.every((row) => row.account_id !== null)).toBe(true);
  });
});
