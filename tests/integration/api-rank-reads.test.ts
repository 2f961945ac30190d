import { describe, expect, test } from 'vitest';
import type {
  CampaignOverviewJson,
  CoverageJson,
  ErrorJson,
  HomeRankHistoryJson,
} from '../../dashboard/api-contract.ts';
import { autumnApp, get, useAutumnCampaign } from '../support/api-rank-fixture.ts';

/** The ranking API: rank history, overview, coverage and parameters (the campaign: tests/support/api-rank-fixture.ts). */

useAutumnCampaign();

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
      const response = await autumnApp().request(`/api/v1/campaigns/nope/${path}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorJson).error.code).toBe('not_found');
    },
  );
});
