import { beforeAll, describe, expect, test } from 'vitest';
import { generateScenario, type Scenario, streamScenario } from '../../src/simulator/index.ts';
import { snowflakeTime } from '../../src/simulator/snowflake.ts';

const HOUR = 3_600_000;
const SMALL = { seed: 7, accounts: 60, posts: 600 } as const;

/**
 * The DESIGN's posts metric recomputed the plain way, straight from post texts: its own hashtag regex,
 * its own counting and ranking. Shares nothing with the generator's truth.
 */
function recomputeLeaderboard(scenario: Scenario, from: Date, to: Date) {
  const wanted = new Set(scenario.queries.map((query) => query.slice(1).toLowerCase()));
  const hashtagsIn = (text: string) =>
    [...text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{M}\p{N}_]+)/gu)].map((m) =>
      (m[1] ?? '').toLowerCase(),
    );
  const counts = new Map<string, number>();
  for (const post of scenario.posts) {
    if (post.kind === 'repost') continue;
    if (post.createdAt < from || post.createdAt >= to) continue;
    if (!hashtagsIn(post.text).some((tag) => wanted.has(tag))) continue;
    counts.set(post.authorId, (counts.get(post.authorId) ?? 0) + 1);
  }
  const names = new Map(scenario.users.map((user) => [user.id, user.username]));
  const rows = [...counts].map(([authorId, value]) => ({
    authorId,
    username: names.get(authorId) ?? '?',
    value,
  }));
  rows.sort((a, b) => {
    if (a.value !== b.value) return b.value - a.value;
    const x = a.username.toLowerCase();
    const y = b.username.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return rows.map((row) => ({
    rank: rows.findIndex((other) => other.value === row.value) + 1,
    username: row.username,
    authorId: row.authorId,
    value: row.value,
  }));
}

function fingerprint(scenario: Scenario): string {
  const probes = [
    scenario.window.start,
    new Date(scenario.window.start.getTime() + 30 * HOUR),
    scenario.window.end,
  ];
  return JSON.stringify({
    users: scenario.users.map((u) => [
      u.id,
      u.username,
      u.name,
      u.description,
      ...probes.map((t) => u.followersAt(t)),
    ]),
    posts: scenario.posts.map((p) => [
      p.id,
      p.authorId,
      p.createdAt,
      p.text,
      p.kind,
      p.referencedId,
      p.metricsAt(probes[2] as Date),
    ]),
  });
}

function homeOf(scenario: Scenario) {
  const home = scenario.users.find((user) => user.username === scenario.homeUsername);
  if (!home) throw new Error('no home account');
  return home;
}

describe('small scenario', () => {
  test('generates in a few seconds at most, even on a loaded machine', () => {
    const started = performance.now();
    generateScenario(SMALL);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('same options give an identical scenario; another seed a different one', () => {
    expect(fingerprint(generateScenario(SMALL))).toBe(fingerprint(generateScenario(SMALL)));
    expect(fingerprint(generateScenario({ ...SMALL, seed: 8 }))).not.toBe(
      fingerprint(generateScenario(SMALL)),
    );
  });

  test('home account is n°3 by posts, strictly between n°2 and n°4', () => {
    const scenario = generateScenario(SMALL);
    const [, second, third, fourth] = scenario.truth.postsLeaderboard();
    expect(third).toMatchObject({ rank: 3, username: 'OpenData_Forum' });
    expect(second?.value).toBeGreaterThan(third?.value ?? 0);
    expect(fourth?.value).toBeLessThan(third?.value ?? 0);
    expect(scenario.posts).toHaveLength(600);
    expect(scenario.users).toHaveLength(60);
  });

  test('the stream yields the very posts of the in-memory scenario, in id order, pass after pass', () => {
    const stream = streamScenario(SMALL);
    const scenario = generateScenario(SMALL);
    const key = (p: Scenario['posts'][number]) =>
      [p.id, p.authorId, p.kind, p.text, p.referencedId].join('|');
    const first = [...stream.posts()].map(key);
    expect(first).toEqual(scenario.posts.map(key));
    expect([...stream.posts()].map(key)).toEqual(first);
    expect(stream.postCount).toBe(600);
    expect(stream.users.map((u) => [u.id, u.username])).toEqual(
      scenario.users.map((u) => [u.id, u.username]),
    );
    expect(stream.users[3]?.followersAt(scenario.window.end)).toBe(
      scenario.users[3]?.followersAt(scenario.window.end),
    );
  });

  test('home followers follow the 194 → 512 shape', () => {
    const scenario = generateScenario(SMALL);
    expect(homeOf(scenario).followersAt(scenario.window.start)).toBe(194);
    expect(homeOf(scenario).followersAt(scenario.window.end)).toBe(512);
  });
});

describe('ogp16 scenario (defaults)', () => {
  let scenario: Scenario;
  beforeAll(() => {
    scenario = generateScenario();
  });

  test('has the founding case framing', () => {
    expect(scenario.name).toBe('ogp16');
    expect(scenario.timezone).toBe('Europe/Paris');
    expect(scenario.window.start.toISOString()).toBe('2016-12-06T23:00:00.000Z');
    expect(scenario.window.end.toISOString()).toBe('2016-12-09T23:00:00.000Z');
    expect(scenario.queries).toEqual(['#OGP16', '#OGPSummit']);
    expect(scenario.homeUsername).toBe('OpenData_Forum');
    expect(scenario.watchlist).toHaveLength(4);
    expect(scenario.users.length).toBeGreaterThanOrEqual(4000);
    expect(scenario.posts.length).toBeGreaterThanOrEqual(28_000);
    for (const name of scenario.watchlist) {
      expect(scenario.users.some((user) => user.username === name)).toBe(true);
    }
  });

  test('home account is n°3 by posts over the window, with no tie', () => {
    const board = scenario.truth.postsLeaderboard();
    const [, second, third, fourth] = board;
    expect(third).toMatchObject({ rank: 3, username: 'OpenData_Forum' });
    expect(second?.value).toBeGreaterThan(third?.value ?? 0);
    expect(fourth?.value).toBeLessThan(third?.value ?? 0);
    expect(board.filter((row) => row.rank === 3)).toHaveLength(1);
  });

  test('ground truth equals a straightforward recomputation from post texts', () => {
    const { start, end } = scenario.window;
    expect(scenario.truth.postsLeaderboard()).toEqual(recomputeLeaderboard(scenario, start, end));
    // One local day (8 December, Paris) and a window reaching outside the campaign's.
    const day = { from: new Date('2016-12-08T00:00:00+01:00'), to: new Date('2016-12-09T00:00:00+01:00') };
    expect(scenario.truth.postsLeaderboard(day)).toEqual(recomputeLeaderboard(scenario, day.from, day.to));
    const wide = { from: new Date(start.getTime() - 24 * HOUR), to: new Date(end.getTime() + 24 * HOUR) };
    expect(scenario.truth.postsLeaderboard(wide)).toEqual(recomputeLeaderboard(scenario, wide.from, wide.to));
  });

  test('home followers: 194 at the start, pass 500 during the summit, 512 at the end, never falling', () => {
    const home = homeOf(scenario);
    const { start, end } = scenario.window;
    expect(home.followersAt(start)).toBe(194);
    expect(home.followersAt(end)).toBe(512);
    const hours: Date[] = [];
    for (let t = start.getTime() - 24 * HOUR; t <= end.getTime() + 24 * HOUR; t += HOUR / 2)
      hours.push(new Date(t));
    const series = scenario.truth.followerSeries('opendata_forum', hours);
    expect(series.filter((value, i) => value < (series[i - 1] ?? 0))).toEqual([]);
    const passed = hours.find((_, i) => (series[i] ?? 0) >= 500);
    expect(passed).toBeDefined();
    expect(passed?.getTime()).toBeGreaterThan(start.getTime());
    expect(passed?.getTime()).toBeLessThan(end.getTime());
  });

  test('ids are 64-bit snowflakes of their creation time, ascending with it', () => {
    // Loops collect offenders and assert once: an expect() per post would dominate the run time.
    const offenders = scenario.posts.filter((post, i) => {
      const previous = scenario.posts[i - 1];
      const drift = snowflakeTime(post.id) - post.createdAt.getTime();
      return (previous && BigInt(post.id) <= BigInt(previous.id)) || drift < 0 || drift >= 1000;
    });
    expect(offenders).toEqual([]);
    expect(BigInt(scenario.posts[0]?.id ?? 0)).toBeGreaterThan(2n ** 53n);
    expect(new Set(scenario.users.map((user) => user.id)).size).toBe(scenario.users.length);
    expect(new Set(scenario.users.map((user) => user.username.toLowerCase())).size).toBe(
      scenario.users.length,
    );
    expect(scenario.users.filter((user) => !/^[A-Za-z0-9_]{1,15}$/.test(user.username))).toEqual([]);
  });

  test('replies, quotes and reposts refer to earlier posts; reposts read "RT @author: …"', () => {
    const byId = new Map(scenario.posts.map((post) => [post.id, post]));
    const users = new Map(scenario.users.map((user) => [user.id, user]));
    const offenders = scenario.posts.filter((post) => {
      if (post.kind === 'post') return post.referencedId !== undefined;
      const referenced = byId.get(post.referencedId ?? '');
      if (!referenced || BigInt(referenced.id) >= BigInt(post.id) || referenced.kind === 'repost')
        return true;
      if (post.kind === 'repost') {
        return !post.text.startsWith(`RT @${users.get(referenced.authorId)?.username}: `);
      }
      return post.kind === 'reply' && post.conversationId !== referenced.conversationId;
    });
    expect(offenders).toEqual([]);
    expect([...new Set(scenario.posts.map((post) => post.kind))].sort()).toEqual([
      'post',
      'quote',
      'reply',
      'repost',
    ]);
  });

  test('activity follows the days: the window is busier per hour than the days around it', () => {
    const { start, end } = scenario.window;
    const inside = scenario.posts.filter((p) => p.createdAt >= start && p.createdAt < end).length / 72;
    const outside = scenario.posts.filter((p) => p.createdAt < start || p.createdAt >= end).length / 48;
    expect(inside).toBeGreaterThan(2 * outside);
    const nightAndDay = (hour: number) =>
      scenario.posts.filter((p) => (p.createdAt.getUTCHours() + 1) % 24 === hour).length;
    expect(nightAndDay(15)).toBeGreaterThan(5 * nightAndDay(4));
  });

  test('post metrics only grow after posting and start at zero', () => {
    const sample = scenario.posts.filter((_, i) => i % 97 === 0);
    for (const post of sample) {
      const t0 = post.createdAt.getTime();
      let previous = post.metricsAt(new Date(t0 - 1000));
      expect(Object.values(previous).every((v) => v === 0)).toBe(true);
      for (const dt of [HOUR / 4, HOUR, 6 * HOUR, 48 * HOUR]) {
        const next = post.metricsAt(new Date(t0 + dt));
        for (const key of Object.keys(next) as Array<keyof typeof next>) {
          expect(next[key]).toBeGreaterThanOrEqual(previous[key]);
        }
        previous = next;
      }
    }
    const engaged = scenario.posts.filter((p) => p.metricsAt(scenario.window.end).like > 0).length;
    expect(engaged).toBeGreaterThan(scenario.posts.length / 10);
  });

  test('followers follow activity: active accounts gain most on the day they post most', () => {
    const days = [0, 1, 2].map((d) => new Date(scenario.window.start.getTime() + d * 24 * HOUR));
    const end = (d: number) => new Date((days[d]?.getTime() ?? 0) + 24 * HOUR);
    const perDay = new Map<string, number[]>();
    for (const post of scenario.posts) {
      const d = Math.floor((post.createdAt.getTime() - scenario.window.start.getTime()) / (24 * HOUR));
      if (post.kind === 'repost' || d < 0 || d > 2) continue;
      const counts = perDay.get(post.authorId) ?? [0, 0, 0];
      counts[d] = (counts[d] ?? 0) + 1;
      perDay.set(post.authorId, counts);
    }
    let agree = 0;
    let active = 0;
    for (const user of scenario.users.slice(1)) {
      const posts = perDay.get(user.id) ?? [0, 0, 0];
      if (posts.reduce((a, b) => a + b, 0) < 15) continue;
      const gains = days.map((day, d) => user.followersAt(end(d)) - user.followersAt(day));
      expect(gains.every((g) => g >= 0)).toBe(true);
      active++;
      if (gains.indexOf(Math.max(...gains)) === posts.indexOf(Math.max(...posts))) agree++;
    }
    expect(active).toBeGreaterThan(20);
    expect(agree / active).toBeGreaterThan(0.6);
  });

  test('followerSeries answers for every account, case-insensitively', () => {
    const user = scenario.users[42];
    const at = [scenario.window.start, scenario.window.end];
    expect(scenario.truth.followerSeries(user?.username.toUpperCase() ?? '', at)).toEqual(
      at.map((t) => user?.followersAt(t)),
    );
    expect(() => scenario.truth.followerSeries('NoSuchHandle', at)).toThrow(RangeError);
  });
});
