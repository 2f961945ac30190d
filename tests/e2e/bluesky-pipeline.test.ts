import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { blueskySource } from '../../src/collect/source.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { BlueskyMetric } from '../../src/simulator/bluesky/truth.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import { type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * Bluesky's whole path: the stand-in over HTTP (search cursors that stop 120 hits deep, deleted
 * posts, renamed handles) → the real @atproto/api client → BullMQ workers on the real Redis → PostgreSQL
 * → the leaderboard API, which must equal the scenario's ground truth, computed on its own.
 */
describe('Bluesky stand-in → workers → PostgreSQL → leaderboard', () => {
  const prefix = uniqueName('bull');
  let standIn: StandIn;
  let t: TestDatabase;
  let runtime: CollectionRuntime;
  let now: Date;

  beforeAll(async () => {
    standIn = await startStandIn(
      {
        name: 'bsky-e2e',
        seed: 61,
        accounts: 50,
        posts: 700,
        faults: { deletedPosts: { share: 0.02 }, renamedAccounts: { share: 0.04 } },
      },
      { searchDepth: 120 },
    );
    const { scenario } = standIn;
    // Six hours after the forum: every post of the window exists, live ticks still run.
    now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
    standIn.clock.set(now);
    t = await createTestDatabase();
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'forum',
        name: 'Forum',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: { name: 'Open Data Forum', bluesky: scenario.homeHandle },
        queries: { bluesky: scenario.queries },
        watchlist: scenario.watchlist.map((handle) => ({ name: handle, bluesky: handle })),
      }),
      'forum.json',
    );
    await applyCampaign(t.db, file, now);
    runtime = await startCollection({
      db: t.db,
      // The campaign follows nothing on X: its client is never called.
      x: new XClient({ bearerToken: 'unused', baseUrl: 'http://127.0.0.1:9' }),
      sources: [blueskySource(standIn.client())],
      clock: standIn.clock,
      log: silentLog,
      redisUrl: testRedisUrl,
      prefix,
      schedules: { replay: { speed: 1e9, minEveryMs: 200 } },
    });
  });

  afterAll(async () => {
    for (const queue of [...Object.values(runtime?.queues ?? {}), ...(runtime?.networkQueues ?? [])]) {
      await queue.obliterate({ force: true });
    }
    await runtime?.close();
    await standIn?.close();
    await t?.drop();
  });

  const board = async (metric: BlueskyMetric, scope: 'all' | 'watchlist', network = 'bluesky') => {
    const app = createDashboard({ db: t.db, clock: standIn.clock, demo: false, log: silentLog });
    const { window } = standIn.scenario;
    const response = await app.request(
      `/api/v1/campaigns/forum/leaderboard?metric=${metric}&scope=${scope}&network=${network}&limit=500` +
        `&from=${window.start.toISOString()}&to=${window.end.toISOString()}`,
    );
    const json = (await response.json()) as {
      rows: Array<{
        rank: number;
        username: string;
        value: number;
        entity: { handle: string | null } | null;
      }>;
    };
    // Scope watchlist ranks entities; each has one account here (Bluesky alone), named by its handle.
    return tiesByHandle(json.rows.map((row) => ({ ...row, username: row.entity?.handle ?? row.username })));
  };

  // The truth lists ties by handle; the API's order within a tie is not a contract.
  const tiesByHandle = (rows: Array<{ rank: number; username: string; value: number }>) =>
    rows
      .map(({ rank, username, value }) => ({ rank, username, value }))
      .sort((a, b) => a.rank - b.rank || a.username.localeCompare(b.username));

  const truth = (metric: BlueskyMetric, scope: 'all' | 'watchlist') =>
    tiesByHandle(
      standIn.scenario.truth
        .leaderboard(metric, { scope, observedAt: now, visibleAt: now })
        .filter((row) => row.value !== 0 || scope === 'watchlist'),
    );

  test('posts, engagement and mentions equal the ground truth, both scopes, network=bluesky and all', async () => {
    const expected = truth('posts', 'all');
    expect(expected.length).toBeGreaterThan(20);
    await eventually(
      async () => {
        const rows = await board('posts', 'all');
        return JSON.stringify(rows) === JSON.stringify(expected) ? rows : undefined;
      },
      { what: 'the posts board to reach the ground truth', timeoutMs: 60_000 },
    );
    // The campaign follows Bluesky alone: across networks is Bluesky.
    for (const network of ['bluesky', 'all']) {
      for (const metric of ['posts', 'engagement', 'mentions'] as const) {
        for (const scope of ['all', 'watchlist'] as const) {
          expect({ network, metric, scope, rows: await board(metric, scope, network) }).toEqual({
            network,
            metric,
            scope,
            rows: truth(metric, scope),
          });
        }
      }
    }
  }, 90_000);

  test('the overview, its headline and the home series on Bluesky equal the ground truth', async () => {
    const { scenario } = standIn;
    const app = createDashboard({ db: t.db, clock: standIn.clock, demo: false, log: silentLog });
    const range = `from=${scenario.window.start.toISOString()}&to=${scenario.window.end.toISOString()}`;
    const homeAccount = scenario.accounts.find((account) => account.handle === scenario.homeHandle);
    const home = scenario.truth.handleAt(homeAccount?.did ?? '', now);
    const posts = truth('posts', 'all');
    const homeRow = posts.find((row) => row.username === home);
    expect(homeRow).toBeDefined();
    const read = async (path: string) => {
      const response = await app.request(`/api/v1/campaigns/forum/${path}`);
      expect(response.status, path).toBe(200);
      return (await response.json()) as Record<string, unknown> & {
        posts: number;
        headline: { rank: number | null; total: number; networks: unknown[] };
        points: Array<{ value: number }>;
      };
    };
    for (const network of ['bluesky', 'all']) {
      const overview = await read(`overview?network=${network}&${range}`);
      expect(overview.posts, network).toBe(posts.reduce((sum, row) => sum + row.value, 0));
      expect(overview.headline).toMatchObject({ rank: homeRow?.rank, total: posts.length });
      expect(overview.headline.networks).toEqual([
        expect.objectContaining({
          network: 'bluesky',
          username: home,
          rank: homeRow?.rank,
          total: posts.length,
        }),
      ]);
    }
    // Nothing on X: no posts there, and no rank.
    const onX = await read(`overview?network=x&${range}`);
    expect(onX).toMatchObject({ posts: 0, postsPerHour: [], topPosts: [] });
    expect(onX.headline).toMatchObject({ rank: null, total: 0 });

    const series = await read(
      `accounts/bluesky/${encodeURIComponent(home)}/series?metric=posts&interval=day&${range}`,
    );
    expect(series).toMatchObject({ network: 'bluesky', username: home });
    expect(series.points.reduce((sum, point) => sum + point.value, 0)).toBe(homeRow?.value);
    // The coverage record: the walk back is done, so every hour of the window is collected.
    const record = (await read(`coverage?${range}`)) as unknown as {
      queries: Array<{ network: string; query: string; backfillDone: boolean; pollingSince: string | null }>;
      hours: Array<{ collection: string }>;
    };
    expect(record.queries.map((query) => [query.network, query.query, query.backfillDone])).toEqual(
      scenario.queries.map((query) => ['bluesky', `${query} (bluesky)`, true]),
    );
    expect(record.queries.every((query) => query.pollingSince !== null)).toBe(true);
    expect(new Set(record.hours.map((hour) => hour.collection))).toEqual(new Set(['backfilled']));
    // The home's rank at the end of each day: the last is its rank on the whole window.
    const history = (await read(`rank-history?network=bluesky&interval=day&${range}`)) as unknown as {
      username: string;
      points: Array<{ rank: number | null }>;
    };
    expect(history.username).toBe(home);
    expect(history.points.at(-1)?.rank).toBe(homeRow?.rank);
    const historyOnX = (await read(`rank-history?network=x&interval=day&${range}`)) as unknown as {
      points: Array<{ rank: number | null }>;
    };
    expect(historyOnX.points.every((point) => point.rank === null)).toBe(true);
    const page = await app.request(`/campaigns/forum/accounts/bluesky/${encodeURIComponent(home)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`@${home}`);
  });

  test("the watchlist's reposts, read from its feeds, equal the ground truth", async () => {
    const expected = truth('reposts', 'watchlist');
    expect(expected.some((row) => row.value > 0)).toBe(true);
    await eventually(
      async () => {
        const rows = await board('reposts', 'watchlist');
        return JSON.stringify(rows) === JSON.stringify(expected) ? rows : undefined;
      },
      { what: 'the reposts board to reach the ground truth', timeoutMs: 30_000 },
    ).catch(() => undefined);
    expect(await board('reposts', 'watchlist')).toEqual(expected);
  }, 40_000);

  test('follower readings of the home and watchlist equal the simulated counts, handles renamed', async () => {
    const { scenario } = standIn;
    const watched = [scenario.homeHandle, ...scenario.watchlist].map((handle) => {
      const account = scenario.accounts.find((a) => a.handle === handle);
      if (!account) throw new Error(`no account ${handle}`);
      return { username: scenario.truth.handleAt(account.did, now), followers: account.followersAt(now) };
    });
    const rows = await eventually(
      async () => {
        const found = await t.db
          .selectFrom('account_snapshots as s')
          .innerJoin('accounts as a', 'a.id', 's.account_id')
          .select(['a.username', 's.followers_count as followers'])
          .where('a.network', '=', 'bluesky')
          .where('s.observed_at', '=', now)
          .where(
            'a.username',
            'in',
            watched.map((account) => account.username),
          )
          .execute();
        return found.length === watched.length ? found : undefined;
      },
      { what: 'follower readings of the watchlist' },
    );
    const byName = (a: { username: string }, b: { username: string }) => a.username.localeCompare(b.username);
    expect(rows.sort(byName)).toEqual(watched.sort(byName));
  });

  test('every post stored once, runs logged by network, none failed', async () => {
    const duplicates = await t.db
      .selectFrom('campaign_posts')
      .select(['post_id', 'query_id'])
      .groupBy(['post_id', 'query_id'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(duplicates).toEqual([]);
    const runs = await t.db.selectFrom('collection_runs').select(['kind', 'outcome', 'error']).execute();
    // (the clock stands still: the polls after the first have nothing to read and log no run)
    for (const kind of ['bluesky:backfill', 'bluesky:feed', 'bluesky:snapshot']) {
      expect(runs.some((run) => run.kind === kind && run.outcome === 'ok')).toBe(true);
    }
    expect(runs.filter((run) => run.outcome === 'failed')).toEqual([]);
    expect(standIn.unexpected).toEqual([]);
  });
});
