import { beforeAll, describe, expect, test } from 'vitest';
import {
  generateScenario,
  LEADERBOARD_METRICS,
  type LeaderboardMetric,
  type LeaderboardQuery,
  type Scenario,
} from '../../src/simulator/index.ts';
import { rankRows } from '../../src/simulator/truth.ts';

const HOUR = 3_600_000;

/** Per post, once per scenario: does its text carry a campaign hashtag, which handles does it mention. */
const reading = new WeakMap<Scenario, Map<string, { campaign: boolean; mentions: Set<string> }>>();

function read(scenario: Scenario) {
  let known = reading.get(scenario);
  if (!known) {
    const tags = new Set(scenario.queries.map((q) => q.replace('#', '').toLowerCase()));
    known = new Map(
      scenario.posts.map((post) => [
        post.id,
        {
          campaign: [...post.text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{M}\p{N}_]+)/gu)].some((m) =>
            tags.has((m[1] ?? '').toLowerCase()),
          ),
          mentions: new Set(
            [...post.text.matchAll(/(?:^|\s)@(\w{1,15})\b/g)].map((m) => (m[1] ?? '').toLowerCase()),
          ),
        },
      ]),
    );
    reading.set(scenario, known);
  }
  return known;
}

/**
 * Every DESIGN metric recomputed the plain way, from the posts' texts and the accounts' curves: its own
 * hashtag and mention regexes, its own population, its own ranking. Shares no code with the generator's
 * truth (src/simulator/truth.ts), which goes through the simulator's query engine.
 */
function recompute(scenario: Scenario, metric: LeaderboardMetric, query: LeaderboardQuery = {}) {
  const from = query.from ?? scenario.window.start;
  const to = query.to ?? scenario.window.end;
  const observedAt = query.observedAt ?? to;
  const texts = read(scenario);
  const byName = new Map(scenario.users.map((u) => [u.username.toLowerCase(), u]));
  const byId = new Map(scenario.users.map((u) => [u.id, u]));
  const campaign = scenario.posts.filter(
    (p) => p.createdAt >= from && p.createdAt < to && texts.get(p.id)?.campaign,
  );
  const counted = campaign.filter((p) => p.kind !== 'repost');

  const watchlist = [scenario.homeUsername, ...(query.watchlist ?? scenario.watchlist)];
  const values = new Map<string, number>();
  for (const name of watchlist) values.set(byName.get(name.toLowerCase())?.id ?? '?', 0);
  if ((query.scope ?? 'all') === 'all') for (const post of campaign) values.set(post.authorId, 0);
  const add = (id: string, amount: number) => {
    const value = values.get(id);
    if (value !== undefined) values.set(id, value + amount);
  };

  if (metric === 'reposts') for (const post of campaign) if (post.kind === 'repost') add(post.authorId, 1);
  for (const post of counted) {
    const m = post.metricsAt(observedAt);
    if (metric === 'posts') add(post.authorId, 1);
    if (metric === 'engagement') add(post.authorId, m.like + m.repost + m.reply + m.quote);
    if (metric === 'impressions') add(post.authorId, m.impression);
    if (metric === 'mentions') {
      for (const name of texts.get(post.id)?.mentions ?? []) {
        const id = byName.get(name)?.id;
        if (id && id !== post.authorId) add(id, 1);
      }
    }
  }
  for (const id of values.keys()) {
    const user = byId.get(id);
    if (!user) throw new Error(`no account ${id}`);
    const start = user.followersAt(from);
    const end = user.followersAt(to);
    if (metric === 'followers') values.set(id, end);
    if (metric === 'follower_growth') values.set(id, end - start);
    if (metric === 'follower_growth_pct') values.set(id, start > 0 ? ((end - start) / start) * 100 : 0);
  }

  const rows = [...values].map(([id, value]) => ({
    authorId: id,
    username: byId.get(id)?.username ?? '?',
    value,
  }));
  rows.sort((a, b) => {
    if (a.value !== b.value) return b.value - a.value;
    const x = a.username.toLowerCase();
    const y = b.username.toLowerCase();
    if (x !== y) return x < y ? -1 : 1;
    return a.authorId < b.authorId ? -1 : 1;
  });
  return rows.map((row) => ({ rank: 1 + rows.filter((other) => other.value > row.value).length, ...row }));
}

describe('ground truth for every metric equals an independent recomputation', () => {
  let scenario: Scenario;
  beforeAll(() => {
    scenario = generateScenario({ seed: 3, accounts: 150, posts: 4000 });
  });

  const windows: Array<[string, (s: Scenario) => Pick<LeaderboardQuery, 'from' | 'to'>]> = [
    ['the campaign window', () => ({})],
    [
      'one local day (8 December, Paris)',
      () => ({ from: new Date('2016-12-08T00:00:00+01:00'), to: new Date('2016-12-09T00:00:00+01:00') }),
    ],
    [
      'the window and the days around it',
      (s) => ({
        from: new Date(s.window.start.getTime() - 24 * HOUR),
        to: new Date(s.window.end.getTime() + 24 * HOUR),
      }),
    ],
    [
      'one night hour',
      () => ({ from: new Date('2016-12-08T03:00:00+01:00'), to: new Date('2016-12-08T04:00:00+01:00') }),
    ],
    ['an empty window', (s) => ({ from: s.window.start, to: s.window.start })],
  ];
  const cases = LEADERBOARD_METRICS.flatMap((metric) =>
    (['all', 'watchlist'] as const).flatMap((scope) =>
      windows.map(([name, window]) => [metric, scope, name, window] as const),
    ),
  );

  test.each(cases)('%s, scope %s, %s', (metric, scope, _name, window) => {
    const query = { scope, ...window(scenario) };
    expect(scenario.truth.leaderboard(metric, query)).toEqual(recompute(scenario, metric, query));
  });

  test('engagement is read at observedAt: later readings are larger, as metrics keep growing', () => {
    const { end } = scenario.window;
    const later = new Date(end.getTime() + 12 * HOUR);
    const atEnd = scenario.truth.leaderboard('engagement', { scope: 'watchlist' });
    const atLater = scenario.truth.leaderboard('engagement', { scope: 'watchlist', observedAt: later });
    expect(atLater).toEqual(recompute(scenario, 'engagement', { scope: 'watchlist', observedAt: later }));
    const total = (rows: typeof atEnd) => rows.reduce((sum, row) => sum + row.value, 0);
    expect(total(atLater)).toBeGreaterThan(total(atEnd));
  });

  test('a custom watchlist; the home account is always in it', () => {
    const [, peer] = scenario.truth.postsLeaderboard();
    const query = { scope: 'watchlist' as const, watchlist: [peer?.username ?? ''] };
    const rows = scenario.truth.leaderboard('posts', query);
    expect(rows.map((row) => row.username).sort()).toEqual([scenario.homeUsername, peer?.username].sort());
    expect(rows).toEqual(recompute(scenario, 'posts', query));
    expect(() =>
      scenario.truth.leaderboard('posts', { scope: 'watchlist', watchlist: ['NoSuchHandle'] }),
    ).toThrow(RangeError);
  });

  test('postsLeaderboard is the posts leaderboard without its zero rows', () => {
    expect(scenario.truth.postsLeaderboard()).toEqual(
      scenario.truth.leaderboard('posts').filter((row) => row.value > 0),
    );
  });
});

describe('standard competition ranking', () => {
  test.each([
    ['no tie', [3, 2, 1], [1, 2, 3]],
    ['a tie in the middle', [5, 3, 3, 1], [1, 2, 2, 4]],
    ['a tie at the top', [4, 4, 2], [1, 1, 3]],
    ['everyone tied', [0, 0, 0], [1, 1, 1]],
    ['nothing to rank', [], []],
  ])('%s', (_, values, ranks) => {
    const rows = values.map((value, i) => ({ authorId: String(i), username: `user${i}`, value }));
    expect(rankRows(rows).map((row) => row.rank)).toEqual(ranks);
  });

  test('ties are listed by username, case-insensitively, in code-unit order, then by id', () => {
    const rows = rankRows([
      { authorId: '3', username: 'beta', value: 1 },
      { authorId: '2', username: 'Alpha', value: 1 },
      { authorId: '1', username: 'alpha_', value: 1 },
      { authorId: '0', username: 'ALPHA', value: 1 },
      { authorId: '9', username: 'zed', value: 2 },
    ]);
    expect(rows.map((row) => `${row.rank}:${row.username}:${row.authorId}`)).toEqual([
      '1:zed:9',
      '2:ALPHA:0',
      '2:Alpha:2',
      '2:alpha_:1',
      '2:beta:3',
    ]);
  });
});
