import { describe, expect, test } from 'vitest';
import type { AccountSeriesJson, RankedLeaderboardJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { metrics } from '../../src/rank/metrics.ts';
import { autumnDb, get, useAutumnCampaign } from '../support/api-rank-fixture.ts';

/** The ranking API: leaderboards and account series (the campaign: tests/support/api-rank-fixture.ts). */

useAutumnCampaign();

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
      network: 'x',
      username: 'alice',
      name: 'alice name',
      profileImageUrl: null,
      value: 4,
      isHome: false,
      entity: null,
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
    const live = createDashboard({
      db: autumnDb(),
      clock: new ManualClock('2016-10-30T01:40:00Z'),
      demo: false,
    });
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
