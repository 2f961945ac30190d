import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  AccountSeriesJson,
  CampaignOverviewJson,
  CoverageJson,
  ErrorJson,
  HomeRankHistoryJson,
  RankedLeaderboardJson,
} from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { metrics } from '../../src/rank/metrics.ts';
import { createCampaign } from '../support/rank-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * The ranking API on a small campaign whose every number is worked out by hand, over the night
 * Europe/Paris leaves summer time (2016-10-30: 02:00–03:00 happens twice, at 00:00Z and 01:00Z).
 * Window: 2016-10-29 00:00 +02:00 → 2016-11-01 00:00 +01:00 (2016-10-28T22:00Z → 2016-10-31T23:00Z).
 */

const clock = new ManualClock('2016-11-02T12:00:00Z');
let t: TestDatabase;
let db: Db;
let app: ReturnType<typeof createDashboard>;

// posts: alice 4, Bob 3, OpenData_Forum 3 (a tie with Bob), carol 1 (and one before the window).
// engagement: Bob 10, OpenData_Forum 8 (5 + 1 + 2). Mentions of OpenData_Forum: by Bob and carol.
const accounts = [
  { id: '1', username: 'OpenData_Forum' },
  { id: '2', username: 'alice' },
  { id: '3', username: 'Bob' },
  { id: '4', username: 'carol' },
];
const posts = [
  { id: '10', author: '1', at: '2016-10-29T08:00:00Z', likes: 5, queries: [0, 1] },
  { id: '11', author: '1', at: '2016-10-30T00:30:00Z', likes: 1, queries: [0] },
  { id: '12', author: '1', at: '2016-10-30T01:30:00Z', likes: 2, queries: [0] },
  { id: '20', author: '2', at: '2016-10-29T09:00:00Z', queries: [0] },
  { id: '21', author: '2', at: '2016-10-29T10:00:00Z', queries: [0] },
  { id: '22', author: '2', at: '2016-10-30T12:00:00Z', queries: [0] },
  { id: '23', author: '2', at: '2016-10-31T20:00:00Z', queries: [0] },
  { id: '24', author: '2', at: '2016-10-31T20:30:00Z', kind: 'repost' as const, queries: [0] },
  {
    id: '30',
    author: '3',
    at: '2016-10-29T09:30:00Z',
    likes: 10,
    mentions: ['opendata_forum'],
    queries: [1],
  },
  { id: '31', author: '3', at: '2016-10-30T10:00:00Z', queries: [1] },
  { id: '32', author: '3', at: '2016-10-31T10:00:00Z', queries: [0, 1] },
  { id: '40', author: '4', at: '2016-10-28T10:00:00Z', queries: [0] },
  { id: '41', author: '4', at: '2016-10-31T22:30:00Z', mentions: ['opendata_forum', 'alice'], queries: [0] },
];

/** A snowflake id created at `iso` (X ids carry their creation time). */
const idAt = (iso: string) => String((BigInt(Date.parse(iso)) - 1288834974657n) << 22n);

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  const seenAt = new Date('2016-10-28T00:00:00Z');
  await db
    .insertInto('accounts')
    .values(
      accounts.map((a) => ({
        id: a.id,
        username: a.username,
        name: `${a.username} name`,
        description: null,
        profile_image_url: null,
        verified: null,
        created_at: null,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .execute();
  const { campaign, queryIds } = await createCampaign(
    db,
    {
      slug: 'autumn',
      timezone: 'Europe/Paris',
      start: '2016-10-29T00:00:00+02:00',
      end: '2016-11-01T00:00:00+01:00',
      home: 'OpenData_Forum',
      watchlist: ['alice'],
    },
    ['#a', '#b'],
  );
  await db
    .insertInto('posts')
    .values(
      posts.map((p) => ({
        id: p.id,
        author_id: p.author,
        created_at: p.at,
        text: `post ${p.id}`,
        lang: 'en',
        kind: p.kind ?? 'post',
        hashtags: [],
        mentions: p.mentions ?? [],
        like_count: p.likes ?? 0,
        repost_count: 0,
        reply_count: 0,
        quote_count: 0,
        impression_count: 100,
        metrics_observed_at: '2016-11-02T00:00:00Z',
        first_seen_at: '2016-11-02T00:00:00Z',
      })),
    )
    .execute();
  await db
    .insertInto('campaign_posts')
    .values(
      posts.flatMap((p) =>
        p.queries.map((q) => ({
          campaign_id: campaign.id,
          query_id: queryIds[q] ?? 0,
          post_id: p.id,
          matched_at: '2016-11-02T00:00:00Z',
        })),
      ),
    )
    .execute();
  const snapshot = (observedAt: string, followers: number) => ({
    account_id: '1',
    observed_at: observedAt,
    followers_count: followers,
    following_count: 10,
    post_count: 50,
    listed_count: 1,
  });
  await db
    .insertInto('account_snapshots')
    .values([
      snapshot('2016-10-28T21:00:00Z', 100),
      snapshot('2016-10-30T00:45:00Z', 150),
      snapshot('2016-10-30T01:45:00Z', 160),
      snapshot('2016-10-31T21:00:00Z', 194),
    ])
    .execute();
  // The first query: polled from 08:05 on the first day, its first poll reaching back to 07:00.
  await db
    .updateTable('campaign_queries')
    .set({ backfill_until_id: idAt('2016-10-29T07:00:00Z') })
    .where('id', '=', queryIds[0] ?? 0)
    .execute();
  const run = (
    query: string,
    kind: string,
    startedAt: string,
    outcome: 'ok' | 'failed' | 'rate_limited' | 'budget',
  ) => ({
    campaign_id: campaign.id,
    kind,
    target: query,
    started_at: startedAt,
    finished_at: new Date(Date.parse(startedAt) + 60_000),
    // A run the budget stops sends nothing.
    requests: outcome === 'budget' ? 0 : 2,
    outcome,
  });
  await db
    .insertInto('collection_runs')
    .values([
      run('#a', 'poll', '2016-10-29T08:05:00Z', 'ok'),
      run('#a', 'poll', '2016-10-29T08:10:00Z', 'rate_limited'),
      run('#a', 'backfill', '2016-10-29T08:30:00Z', 'ok'),
      run('#a', 'poll', '2016-10-29T08:40:00Z', 'budget'),
      // Stopped by the budget before anything was read: #b's polling has not started yet.
      run('#b', 'poll', '2016-10-29T09:00:00Z', 'budget'),
      run('#b', 'poll', '2016-10-30T00:10:00Z', 'ok'),
      run('#a', 'poll', '2016-10-30T01:20:00Z', 'failed'),
      run('#a', 'poll', '2016-10-31T22:58:00Z', 'ok'),
      // A dry-run estimate reads only counts: it is no collection.
      run('#a', 'estimate', '2016-10-31T23:30:00Z', 'ok'),
    ])
    .execute();
  app = createDashboard({ db, clock, demo: false });
});

afterAll(async () => t?.drop());

async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await app.request(`/api/v1/campaigns/autumn/${path}`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as T };
}

describe('leaderboard', () => {
  test('rows with ranks, ties, movement and the time of the last collection', async () => {
    const { status, body } = await get<RankedLeaderboardJson>('leaderboard?metric=posts');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      campaign: 'autumn',
      metric: 'posts',
      scope: 'all',
      from: '2016-10-28T22:00:00.000Z',
      to: '2016-10-31T23:00:00.000Z',
      asOf: '2016-11-02T12:00:00.000Z',
      total: 4,
      lastCollectedAt: '2016-10-31T22:59:00.000Z',
      // an hour before the window's end, and the start of its last day (Paris)
      movement: { hourAgo: '2016-10-31T22:00:00.000Z', dayStart: '2016-10-30T23:00:00.000Z' },
    });
    expect(body.rows.map((r) => [r.rank, r.username, r.value, r.rankHourAgo, r.rankDayStart])).toEqual([
      [1, 'alice', 4, 1, 1],
      [2, 'Bob', 3, 2, 3],
      [2, 'OpenData_Forum', 3, 2, 1],
      [4, 'carol', 1, null, null],
    ]);
    expect(body.home).toEqual(body.rows[2]);
    expect(body.rows[0]).toEqual({
      rank: 1,
      accountId: '2',
      username: 'alice',
      name: 'alice name',
      profileImageUrl: null,
      value: 4,
      isHome: false,
      rankHourAgo: 1,
      rankDayStart: 1,
    });
  });

  test.each([
    ['reposts', [['alice', 1]]],
    [
      'engagement',
      [
        ['Bob', 10],
        ['OpenData_Forum', 8],
      ],
    ],
    [
      'mentions',
      [
        ['OpenData_Forum', 2],
        ['alice', 1],
      ],
    ],
    ['followers', [['OpenData_Forum', 194]]],
    ['follower_growth', [['OpenData_Forum', 94]]],
    ['follower_growth_pct', [['OpenData_Forum', 94]]],
  ])('%s', async (metric, expected) => {
    const { body } = await get<RankedLeaderboardJson>(`leaderboard?metric=${metric}`);
    expect(body.rows.map((r) => [r.username, r.value])).toEqual(expected);
  });

  test('every metric answers on both scopes, with the window asked for', async () => {
    for (const metric of metrics) {
      for (const scope of ['all', 'watchlist']) {
        const { status, body } = await get<RankedLeaderboardJson>(
          `leaderboard?metric=${metric}&scope=${scope}&from=2016-10-30T00:00:00%2B02:00&to=2016-10-31T00:00:00%2B01:00&limit=2`,
        );
        expect(status).toBe(200);
        expect(body).toMatchObject({
          metric,
          scope,
          from: '2016-10-29T22:00:00.000Z',
          to: '2016-10-30T23:00:00.000Z',
        });
        expect(body.rows.length).toBeLessThanOrEqual(2);
      }
    }
  });

  test('while the event is live, movement looks back from now', async () => {
    const live = createDashboard({ db, clock: new ManualClock('2016-10-30T01:40:00Z'), demo: false });
    const response = await live.request('/api/v1/campaigns/autumn/leaderboard?metric=posts');
    const body = (await response.json()) as RankedLeaderboardJson;
    expect(body.movement).toEqual({
      hourAgo: '2016-10-30T00:40:00.000Z',
      dayStart: '2016-10-29T22:00:00.000Z',
    });
    // An hour ago: alice 2, OpenData_Forum 2, Bob 1; at midnight: alice 2, Bob 1, OpenData_Forum 1.
    expect(body.rows.map((r) => [r.username, r.rank, r.rankHourAgo, r.rankDayStart])).toEqual([
      ['alice', 1, 1, 1],
      ['Bob', 2, 3, 2],
      ['OpenData_Forum', 2, 1, 2],
      ['carol', 4, null, null],
    ]);
  });
});

describe('series', () => {
  test.each([
    [
      'followers',
      'hour',
      [
        ['2016-10-30T00:00:00.000Z', 150],
        ['2016-10-30T01:00:00.000Z', 160],
        ['2016-10-31T21:00:00.000Z', 194],
      ],
    ],
    [
      'followers',
      'day',
      [
        ['2016-10-29T22:00:00.000Z', 160],
        ['2016-10-30T23:00:00.000Z', 194],
      ],
    ],
    [
      'posts',
      'hour',
      [
        ['2016-10-29T08:00:00.000Z', 1],
        ['2016-10-30T00:00:00.000Z', 1],
        ['2016-10-30T01:00:00.000Z', 1],
      ],
    ],
    [
      'posts',
      'day',
      [
        ['2016-10-28T22:00:00.000Z', 1],
        ['2016-10-29T22:00:00.000Z', 2],
      ],
    ],
    [
      'engagement',
      'day',
      [
        ['2016-10-28T22:00:00.000Z', 5],
        ['2016-10-29T22:00:00.000Z', 3],
      ],
    ],
  ])('%s per %s, the two 02:00 hours apart, gaps absent', async (metric, interval, expected) => {
    const { status, body } = await get<AccountSeriesJson>(
      `accounts/@opendata_forum/series?metric=${metric}&interval=${interval}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ username: 'opendata_forum', metric, interval });
    expect(body.points.map((p) => [p.at, p.value])).toEqual(expected);
  });

  test('an unknown account has no points', async () => {
    const { body } = await get<AccountSeriesJson>('accounts/nobody/series?metric=posts');
    expect(body.points).toEqual([]);
  });
});

describe('rank history', () => {
  test('the home account per hour, across the 25-hour day', async () => {
    const { status, body } = await get<HomeRankHistoryJson>('rank-history?metric=posts&interval=hour');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      username: 'OpenData_Forum',
      metric: 'posts',
      scope: 'all',
      interval: 'hour',
    });
    expect(body.points).toHaveLength(73);
    const at = (iso: string) => body.points.find((p) => p.at === iso);
    expect(at('2016-10-28T22:00:00.000Z')).toEqual({
      at: '2016-10-28T22:00:00.000Z',
      rank: null,
      value: null,
    });
    expect(at('2016-10-29T08:00:00.000Z')).toMatchObject({ rank: 1, value: 1 });
    // By 10:00 alice and Bob have a post each too: three share n°1.
    expect(at('2016-10-29T09:00:00.000Z')).toMatchObject({ rank: 1, value: 1 });
    expect(at('2016-10-29T10:00:00.000Z')).toMatchObject({ rank: 2, value: 1 });
    // The first 02:00 (summer time) brings it level with alice, the second one ahead.
    expect(at('2016-10-30T00:00:00.000Z')).toMatchObject({ rank: 1, value: 2 });
    expect(at('2016-10-30T01:00:00.000Z')).toMatchObject({ rank: 1, value: 3 });
    expect(body.points.at(-1)).toMatchObject({ at: '2016-10-31T22:00:00.000Z', rank: 2, value: 3 });
  });

  test('per day, on followers', async () => {
    const { body } = await get<HomeRankHistoryJson>('rank-history?metric=followers&interval=day');
    expect(body.points).toEqual([
      { at: '2016-10-28T22:00:00.000Z', rank: 1, value: 100 },
      { at: '2016-10-29T22:00:00.000Z', rank: 1, value: 160 },
      { at: '2016-10-30T23:00:00.000Z', rank: 1, value: 194 },
    ]);
  });
});

describe('overview', () => {
  test('activity per query, authors, share of voice, top posts and the headline', async () => {
    const { status, body } = await get<CampaignOverviewJson>('overview?top=3');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      uniqueAuthors: 4,
      posts: 11,
      engagement: 18,
      home: { posts: 3, engagement: 8, shareOfPosts: 3 / 11, shareOfEngagement: 8 / 18 },
      headline: {
        username: 'OpenData_Forum',
        followers: 194,
        followerGrowth: 94,
        metric: 'posts',
        rank: 2,
        total: 4,
      },
    });
    expect(body.topPosts.map((p) => [p.id, p.username, p.engagement])).toEqual([
      ['30', 'Bob', 10],
      ['10', 'OpenData_Forum', 5],
      ['12', 'OpenData_Forum', 2],
    ]);
    const [first, second] = body.postsPerHour;
    expect(first).toMatchObject({ query: '#a', active: true });
    expect(first?.points.slice(0, 3)).toEqual([
      { at: '2016-10-29T08:00:00.000Z', value: 1 },
      { at: '2016-10-29T09:00:00.000Z', value: 1 },
      { at: '2016-10-29T10:00:00.000Z', value: 1 },
    ]);
    // The repost is no post; carol's post before the window is outside.
    expect(first?.points.reduce((sum, p) => sum + p.value, 0)).toBe(9);
    expect(second?.points.reduce((sum, p) => sum + p.value, 0)).toBe(4);
  });

  test('a window that cuts hours counts only its part of them', async () => {
    const { body } = await get<CampaignOverviewJson>(
      'overview?from=2016-10-29T09:15:00Z&to=2016-10-30T01:00:00Z',
    );
    expect(body.postsPerHour[0]?.points).toEqual([
      { at: '2016-10-29T10:00:00.000Z', value: 1 },
      { at: '2016-10-30T00:00:00.000Z', value: 1 },
    ]);
    expect(body).toMatchObject({ uniqueAuthors: 3, posts: 3, home: { posts: 1, engagement: 1 } });
  });
});

describe('coverage', () => {
  test('runs per hour and how each hour was collected', async () => {
    const { status, body } = await get<CoverageJson>('coverage');
    expect(status).toBe(200);
    expect(body.hours).toHaveLength(73);
    expect(body.queries.map((q) => [q.query, q.pollingSince, q.backfillFrom])).toEqual([
      ['#a', '2016-10-29T08:05:00.000Z', '2016-10-29T07:00:00.000Z'],
      ['#b', '2016-10-30T00:10:00.000Z', '2016-10-30T00:10:00.000Z'],
    ]);
    const hour = (iso: string) => body.hours.find((h) => h.at === iso);
    expect(hour('2016-10-29T08:00:00.000Z')).toMatchObject({
      polls: 2,
      pollRequests: 4,
      backfills: 1,
      rateLimited: 1,
      failed: 0,
      budgetPaused: 1,
    });
    expect(hour('2016-10-29T09:00:00.000Z')).toMatchObject({ polls: 0, budgetPaused: 1 });
    expect(hour('2016-10-30T01:00:00.000Z')).toMatchObject({ polls: 1, failed: 1, collection: 'polled' });
    // #a's earlier posts go back to carol's (before the window): its walk has passed the first hours.
    // #b is polled only from the DST night on: before, its walk has not reached back.
    expect(hour('2016-10-28T22:00:00.000Z')?.queries).toEqual({
      [String(body.queries[0]?.id)]: 'backfilled',
      [String(body.queries[1]?.id)]: 'pending',
    });
    expect(hour('2016-10-29T08:00:00.000Z')?.collection).toBe('pending');
    expect(hour('2016-10-29T10:00:00.000Z')?.collection).toBe('backfilled');
    expect(hour('2016-10-30T00:00:00.000Z')?.collection).toBe('polled');
  });
});

describe('parameters', () => {
  test.each([
    ['leaderboard?metric=likes', 'metric'],
    ['leaderboard?scope=everyone', 'scope'],
    ['leaderboard?from=yesterday', 'from'],
    ['leaderboard?to=2016-10-30', 'to'],
    ['leaderboard?from=2016-10-31T00:00:00Z&to=2016-10-30T00:00:00Z', 'from'],
    ['leaderboard?limit=0', 'limit'],
    ['leaderboard?limit=501', 'limit'],
    ['leaderboard?limit=1e2', 'limit'],
    ['accounts/OpenData_Forum/series?metric=reposts', 'metric'],
    ['accounts/OpenData_Forum/series?interval=week', 'interval'],
    ['accounts/OpenData_Forum/series?from=2016-01-01T00:00:00Z&to=2016-12-31T00:00:00Z', 'to'],
    ['accounts/not-a-user/series', 'username'],
    ['rank-history?metric=likes', 'metric'],
    ['rank-history?scope=friends', 'scope'],
    ['rank-history?interval=minute', 'interval'],
    ['rank-history?from=2016-10-30T00:00:00', 'from'],
    ['overview?top=0', 'top'],
    ['overview?top=many', 'top'],
    ['overview?to=later', 'to'],
    ['coverage?from=2016-11-01T00:00:00Z&to=2016-10-01T00:00:00Z', 'from'],
    ['coverage?from=2015-01-01T00:00:00Z', 'to'],
  ])('400 on %s, naming %s', async (path, parameter) => {
    const { status, body } = await get<ErrorJson>(path);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toMatch(new RegExp(`^${parameter}: expected`));
  });

  test.each(['leaderboard', 'accounts/alice/series', 'rank-history', 'overview', 'coverage'])(
    '404 on %s of an unknown campaign',
    async (path) => {
      const response = await app.request(`/api/v1/campaigns/nope/${path}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorJson).error.code).toBe('not_found');
    },
  );
});
