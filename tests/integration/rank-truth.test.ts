import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { XUser } from '../../src/networks/x/types.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { type Metric, metrics, type Scope, scopes } from '../../src/rank/metrics.ts';
import { accountSeries } from '../../src/rank/series.ts';
import { movementEnds } from '../../src/rank/windows.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { rankRows } from '../../src/simulator/truth.ts';
import { storeScenarioMatches, xUserOf } from '../support/scenario-records.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * The boards against the generator's ground truth: the scenario's campaign posts (those matching a
 * query, reposts included) are stored through the collector's write path as one collection at
 * `observedAt`, follower readings taken at every instant the boards look at; every metric, both
 * scopes, several windows (ties included) must then equal `truth.leaderboard`.
 */

const scenario = generateScenario({ seed: 23, accounts: 150, posts: 4000 });
const observedAt = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const hour = 3600_000;
const start = scenario.window.start.getTime();
const end = scenario.window.end.getTime();

const windows: Array<[string, { from: Date; to: Date }]> = [
  ['the campaign window', { from: scenario.window.start, to: scenario.window.end }],
  ['the second day', { from: new Date(start + 24 * hour), to: new Date(start + 48 * hour) }],
  ['minutes to minutes', { from: new Date(start + 13.6 * hour), to: new Date(start + 66.1 * hour) }],
  ['most of the window', { from: new Date(start + 2 * hour), to: new Date(end - 5.5 * hour) }],
  ['the eve to the day after', { from: new Date(start - 24 * hour), to: new Date(end + 24 * hour) }],
];
const liveAsOf = new Date(start + 35.25 * hour);

let t: TestDatabase;
let campaign: Campaign;

/** Every instant a board of the tests reads followers at: window ends and movement references. */
function readingInstants(): Date[] {
  const instants = new Map<number, Date>();
  const add = (instant: Date | null) => {
    if (instant) instants.set(instant.getTime(), instant);
  };
  for (const [, window] of windows) {
    add(window.from);
    add(window.to);
    const ends = movementEnds({ timezone: scenario.timezone }, window, window.to);
    add(ends.hourAgo);
    add(ends.dayStart);
    const live = movementEnds({ timezone: scenario.timezone }, window, liveAsOf);
    add(live.hourAgo);
    add(live.dayStart);
  }
  return [...instants.values()];
}

beforeAll(async () => {
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
  const { campaignId } = await applyCampaign(t.db, file, observedAt);
  campaign = await t.db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const queries = await t.db
    .selectFrom('campaign_queries')
    .select(['id', 'query'])
    .where('campaign_id', '=', campaignId)
    .execute();

  const ctx = {
    db: t.db,
    x: new XClient({ bearerToken: 'unused-by-this-test', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock(observedAt),
    log: silentLog,
  };
  await storeScenarioMatches(ctx, scenario, { campaignId, queries }, observedAt, 100);
  const known = new Set((await t.db.selectFrom('accounts').select('id').execute()).map((row) => row.id));
  // Watchlist accounts that never post are known from their snapshots' lookups.
  for (const user of scenario.users.filter((u) => !known.has(u.id))) {
    await t.db
      .insertInto('accounts')
      .values({
        ...accountRow(xUserOf(user, observedAt)),
        first_seen_at: observedAt,
        last_seen_at: observedAt,
      })
      .execute();
  }
  const snapshots = readingInstants().flatMap((instant) =>
    scenario.users.map((user) => ({
      account_id: user.id,
      observed_at: instant,
      followers_count: user.followersAt(instant),
      following_count: user.followingCount,
      post_count: 0,
      listed_count: 0,
    })),
  );
  for (let i = 0; i < snapshots.length; i += 1000) {
    await t.db
      .insertInto('account_snapshots')
      .values(snapshots.slice(i, i + 1000))
      .execute();
  }
}, 300_000);

afterAll(async () => t?.drop());

const accountRow = (user: XUser) => ({
  id: user.id,
  username: user.username,
  name: user.name,
  description: user.description,
  profile_image_url: user.profileImageUrl,
  verified: user.verified,
  created_at: user.createdAt,
});

/** The truth's board as the tracker shows it: accounts with a value only (see docs/METRICS.md). */
function expectedBoard(metric: Metric, scope: Scope, window: { from: Date; to: Date }) {
  const rows = scenario.truth.leaderboard(metric, { scope, from: window.from, to: window.to, observedAt });
  if (metric === 'follower_growth_pct') {
    // The truth says 0 % for an account that had no followers at `from`; the tracker does not rank it.
    const byId = new Map(scenario.users.map((user) => [user.id, user]));
    return rankRows(rows.filter((row) => (byId.get(row.authorId)?.followersAt(window.from) ?? 0) > 0));
  }
  if (metric === 'followers' || metric === 'follower_growth') return rows;
  return rows.filter((row) => row.value > 0);
}

const close = (value: number) => Math.round(value * 1e9) / 1e9;

describe('leaderboards equal the ground truth of the scenario', { timeout: 180_000 }, () => {
  test('the founding case: the home account is n°3 by posts', async () => {
    const board = await leaderboard(t.db, campaign, { metric: 'posts', scope: 'all' });
    expect(board.home?.rank).toBe(3);
    expect(board.total).toBe(scenario.truth.postsLeaderboard().length);
  });

  test.each(windows)('%s: every metric, both scopes, with movement', async (_name, window) => {
    for (const metric of metrics) {
      for (const scope of scopes) {
        for (const asOf of [window.to, liveAsOf]) {
          const what = `${metric}/${scope} [${window.from.toISOString()}, ${window.to.toISOString()}) at ${asOf.toISOString()}`;
          const board = await leaderboard(t.db, campaign, { metric, scope, ...window, asOf, limit: 500 });
          const expected = expectedBoard(metric, scope, window);
          expect(board.rows.length, what).toBeGreaterThan(0);
          expect(
            board.rows.map((row) => [row.rank, row.username, close(row.value)]),
            what,
          ).toEqual(expected.map((row) => [row.rank, row.username, close(row.value)]));
          expect(board.total, what).toBe(expected.length);

          const ends = movementEnds(campaign, window, asOf);
          for (const [key, at] of [
            ['rankHourAgo', ends.hourAgo],
            ['rankDayStart', ends.dayStart],
          ] as const) {
            const earlier = at ? expectedBoard(metric, scope, { from: window.from, to: at }) : [];
            const rankOf = new Map(earlier.map((row) => [row.authorId, row.rank]));
            expect(
              board.rows.map((row) => [row.username, row[key]]),
              `${what} ${key}`,
            ).toEqual(board.rows.map((row) => [row.username, rankOf.get(row.accountId) ?? null]));
          }
        }
      }
    }
  });
});

describe('series equal the ground truth of the scenario', { timeout: 180_000 }, () => {
  test('posts and engagement of the home account per hour and per day', async () => {
    const home = scenario.homeUsername;
    for (const interval of ['hour', 'day'] as const) {
      for (const metric of ['posts', 'engagement'] as const) {
        const window = { from: scenario.window.start, to: scenario.window.end };
        const points = await accountSeries(
          t.db,
          campaign,
          { network: 'x', handle: home },
          { metric, interval, ...window },
        );
        expect(points.length).toBeGreaterThan(interval === 'day' ? 2 : 10);
        for (const point of points) {
          const bucketEnd = new Date(point.at.getTime() + (interval === 'day' ? 24 : 1) * hour);
          const truth = scenario.truth
            .leaderboard(metric, { scope: 'watchlist', from: point.at, to: bucketEnd, observedAt })
            .find((row) => row.username === home);
          expect(point.value, `${metric} ${interval} ${point.at.toISOString()}`).toBe(truth?.value);
        }
        const total = points.reduce((sum, point) => sum + point.value, 0);
        const board = scenario.truth
          .leaderboard(metric, { scope: 'watchlist', ...window, observedAt })
          .find((row) => row.username === home);
        expect(total).toBe(board?.value);
      }
    }
  });

  test('followers of the watchlist at the instants they were read', async () => {
    for (const username of [scenario.homeUsername, ...scenario.watchlist]) {
      const points = await accountSeries(
        t.db,
        campaign,
        { network: 'x', handle: username },
        {
          metric: 'followers',
          interval: 'hour',
          from: new Date(start - 24 * hour),
          to: new Date(end + 25 * hour),
        },
      );
      const instants = readingInstants().sort((a, b) => a.getTime() - b.getTime());
      // One point per hour that had readings: the last reading of that hour.
      const lastOfHour = new Map<number, Date>();
      for (const instant of instants) lastOfHour.set(Math.floor(instant.getTime() / hour) * hour, instant);
      expect(points.map((point) => point.value)).toEqual(
        scenario.truth.followerSeries(username, [...lastOfHour.values()]),
      );
    }
  });
});
