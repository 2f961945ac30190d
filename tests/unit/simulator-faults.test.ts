import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import {
  createSimulator,
  type FaultOptions,
  generateScenario,
  planFaults,
  type SimPost,
} from '../../src/simulator/index.ts';

const TOKEN = 'faults-bearer';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
const scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
const NOON = '2016-12-08T12:00:00+01:00';
const HOUR = 3_600_000;
const byName = (name: string) => {
  const user = scenario.users.find((u) => u.username.toLowerCase() === name.toLowerCase());
  if (!user) throw new Error(name);
  return user;
};
const home = byName(scenario.homeUsername);

function setup(faults: FaultOptions, now = NOON) {
  const clock = new ManualClock(now);
  const sim = createSimulator({
    scenario,
    clock,
    bearerToken: TOKEN,
    faults,
    realNow: () => 1_900_000_000_000,
  });
  const get = async (path: string) => {
    const res = await sim.app.request(path, AUTH);
    const text = await res.text();
    let body: Record<string, unknown> & Wire = {};
    try {
      body = JSON.parse(text);
    } catch {}
    return { res, status: res.status, text, body };
  };
  return { sim, clock, get };
}

interface Wire {
  data?: Array<Record<string, unknown>> & Record<string, unknown>;
  includes?: { users?: Array<Record<string, unknown>>; tweets?: Array<Record<string, unknown>> };
  errors?: Array<Record<string, unknown>>;
  meta?: { result_count: number; next_token?: string };
}

const ids = (body: Wire) => (body.data ?? []).map((item) => String(item.id));

/** Every page of a search, newest first. */
async function searchAll(get: ReturnType<typeof setup>['get'], query: string, extra = ''): Promise<Wire[]> {
  const pages: Wire[] = [];
  let token: string | undefined;
  do {
    const { body } = await get(
      `/2/tweets/search/recent?query=${encodeURIComponent(query)}&max_results=100${extra}${token ? `&next_token=${token}` : ''}`,
    );
    pages.push(body);
    token = body.meta?.next_token;
  } while (token);
  return pages;
}

describe('the fault plan', () => {
  test('is deterministic, spares the campaign accounts and honours explicit names', () => {
    const options: FaultOptions = {
      deletedPosts: { share: 0.05 },
      suspendedAccounts: { share: 0.1, usernames: ['CivoraLab'], at: '2016-12-08T09:00:00Z' },
      renamedAccounts: { share: 0.1 },
    };
    const plan = planFaults(scenario, options);
    expect(planFaults(scenario, options)).toEqual(plan);
    expect(planFaults(scenario, { ...options, seed: 99 })).not.toEqual(plan);
    const originals = scenario.posts.filter((p) => p.kind !== 'repost').length;
    expect(plan.deletedPosts.length).toBeGreaterThan(originals * 0.02);
    expect(plan.deletedPosts.length).toBeLessThan(originals * 0.1);
    for (const { id, at } of plan.deletedPosts) {
      const post = scenario.posts.find((p) => p.id === id);
      expect(post?.kind).not.toBe('repost');
      expect(at.getTime()).toBeGreaterThan(post?.createdAt.getTime() ?? Number.POSITIVE_INFINITY);
    }
    const campaign = new Set([scenario.homeUsername, ...scenario.watchlist]);
    expect(plan.suspendedAccounts).toContainEqual({
      id: byName('CivoraLab').id,
      username: 'CivoraLab',
      at: new Date('2016-12-08T09:00:00Z'),
    });
    expect(plan.suspendedAccounts.filter((a) => campaign.has(a.username)).map((a) => a.username)).toEqual([
      'CivoraLab',
    ]);
    expect(plan.renamedAccounts.length).toBeGreaterThan(0);
    for (const rename of plan.renamedAccounts) {
      expect(campaign.has(rename.from)).toBe(false);
      expect(rename.to).toMatch(/^[A-Za-z0-9_]{1,15}$/);
      expect(plan.suspendedAccounts.some((a) => a.id === rename.id)).toBe(false);
      expect(rename.at >= scenario.window.start && rename.at < scenario.window.end).toBe(true);
    }
  });

  test.each([
    ['a share above 1', { deletedPosts: { share: 1.5 } }],
    ['an unknown post', { deletedPosts: { ids: ['42'] } }],
    ['an unknown account', { suspendedAccounts: { usernames: ['NoSuchHandle'] } }],
    ['an invalid instant', { renamedAccounts: { usernames: ['CivoraLab'], at: 'soon' } }],
  ])('refuses %s', (_, options) => {
    expect(() => planFaults(scenario, options as FaultOptions)).toThrow(RangeError);
  });
});

describe('deleted posts', () => {
  // A post both reposted and answered (or quoted), so every way of meeting it again is tried.
  const post = scenario.posts.find(
    (p) =>
      p.kind === 'post' &&
      scenario.posts.some((r) => r.referencedId === p.id && r.kind === 'repost') &&
      scenario.posts.some((r) => r.referencedId === p.id && r.kind !== 'repost'),
  ) as SimPost;
  const author = scenario.users.find((u) => u.id === post.authorId) ?? home;
  const repost = scenario.posts.find((r) => r.referencedId === post.id && r.kind === 'repost') as SimPost;
  const answer = scenario.posts.find((r) => r.referencedId === post.id && r.kind !== 'repost') as SimPost;
  const lastOfThem = Math.max(repost.createdAt.getTime(), answer.createdAt.getTime());
  const deletedAt = lastOfThem + HOUR;
  const faults = { deletedPosts: { ids: [post.id], delayMs: deletedAt - post.createdAt.getTime() } };

  test('are served until deleted, then answered with X’s not-found partial error', async () => {
    const { get, clock } = setup(faults, new Date(deletedAt - 1000).toISOString());
    expect(ids((await get(`/2/tweets?ids=${post.id}`)).body)).toEqual([post.id]);
    clock.advance(2000);
    const { status, body } = await get(`/2/tweets?ids=${post.id},${answer.id}`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([answer.id]);
    expect(body.errors).toEqual([
      {
        value: post.id,
        detail: `Could not find tweet with ids: [${post.id}].`,
        title: 'Not Found Error',
        resource_type: 'tweet',
        parameter: 'ids',
        resource_id: post.id,
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      },
    ]);
    expect((await get(`/2/tweets/${post.id}`)).body.errors?.[0]).toMatchObject({
      parameter: 'id',
      value: post.id,
    });
  });

  test('leave search and timelines, with the reposts of them; expansions report them missing', async () => {
    const { get } = setup(faults, new Date(deletedAt + HOUR).toISOString());
    const timeline = await get(`/2/users/${author.id}/tweets?max_results=100`);
    expect(ids(timeline.body)).not.toContain(post.id);
    const reposter = await get(`/2/users/${repost.authorId}/tweets?max_results=100`);
    expect(ids(reposter.body)).not.toContain(repost.id);
    const pages = await searchAll(get, `from:${author.username}`);
    expect(pages.flatMap(ids)).not.toContain(post.id);
    const before = setup(faults, new Date(deletedAt - 1000).toISOString());
    expect(ids((await before.get(`/2/users/${author.id}/tweets?max_results=100`)).body)).toContain(post.id);
    expect((await searchAll(before.get, `from:${author.username}`)).flatMap(ids)).toContain(post.id);
    const { body } = await get(
      `/2/tweets?ids=${answer.id}&tweet.fields=referenced_tweets&expansions=referenced_tweets.id`,
    );
    expect(body.data?.[0]?.referenced_tweets).toEqual([{ type: expect.any(String), id: post.id }]);
    expect(body.includes).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        parameter: 'referenced_tweets.id',
        value: post.id,
        detail: `Could not find tweet with referenced_tweets.id: [${post.id}].`,
      }),
    ]);
  });
});

describe('suspended accounts', () => {
  const mentioned = scenario.posts.find(
    (p) =>
      p.kind !== 'repost' &&
      p.createdAt < new Date(NOON) &&
      p.hashtags.some((t) => t.toLowerCase() === 'ogp16') &&
      p.mentions.some(
        (m) => !scenario.watchlist.includes(m) && m.toLowerCase() !== home.username.toLowerCase(),
      ),
  ) as SimPost;
  const username = byName(
    mentioned.mentions.find((m) => !scenario.watchlist.includes(m) && m.toLowerCase() !== 'opendata_forum') ??
      '',
  ).username;
  const user = byName(username);
  const faults = { suspendedAccounts: { usernames: [username], at: '2016-12-08T06:00:00Z' } };

  test('lookups answer "User has been suspended" with title Forbidden, as X does', async () => {
    const { get } = setup(faults);
    const { body } = await get(`/2/users/by?usernames=${username},OpenData_Forum`);
    expect(body.data?.map((u) => u.username)).toEqual(['OpenData_Forum']);
    expect(body.errors).toEqual([
      {
        value: username,
        detail: `User has been suspended: [${username}].`,
        title: 'Forbidden',
        resource_type: 'user',
        parameter: 'usernames',
        resource_id: username,
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      },
    ]);
    expect((await get(`/2/users/${user.id}`)).body.errors?.[0]).toMatchObject({
      title: 'Forbidden',
      value: user.id,
    });
    expect((await get(`/2/users/by/username/${username}`)).body.errors?.[0]).toMatchObject({
      title: 'Forbidden',
    });
    const timeline = await get(`/2/users/${user.id}/tweets`);
    expect(timeline.body.errors?.[0]).toMatchObject({ title: 'Forbidden', parameter: 'id' });
    expect(timeline.body.data).toBeUndefined();
  });

  test('their posts leave search; a page mentioning them carries the partial error of the capture', async () => {
    const { get } = setup(faults);
    expect((await searchAll(get, `from:${username}`)).flatMap(ids)).toEqual([]);
    const pages = await searchAll(get, '#OGP16', '&expansions=entities.mentions.username');
    const page = pages.find((p) => ids(p).includes(mentioned.id));
    expect(page?.errors).toContainEqual(
      expect.objectContaining({
        parameter: 'entities.mentions.username',
        value: expect.stringMatching(new RegExp(`^${username}$`, 'i')),
        title: 'Forbidden',
        resource_type: 'user',
      }),
    );
    expect(page?.includes?.users?.map((u) => u.id) ?? []).not.toContain(user.id);
  });

  test('before the suspension, nothing of it shows', async () => {
    const { get } = setup(faults, '2016-12-08T05:00:00Z');
    expect((await get(`/2/users/by?usernames=${username}`)).body.errors).toBeUndefined();
  });
});

describe('renamed accounts', () => {
  const user = scenario.users.find(
    (u) =>
      u.username.length <= 12 &&
      scenario.posts.filter((p) => p.authorId === u.id && p.kind !== 'repost' && p.createdAt < new Date(NOON))
        .length >= 2,
  );
  if (!user) throw new Error('no account to rename');
  const faults = { renamedAccounts: { usernames: [user.username], at: '2016-12-08T08:00:00Z' } };

  test('the new name resolves, the old one no longer does; ids show the new name', async () => {
    const { sim, get } = setup(faults);
    const [rename] = sim.faults.renamedAccounts;
    expect(rename).toMatchObject({ id: user.id, from: user.username });
    const to = rename?.to ?? '';
    const { body } = await get(`/2/users/by?usernames=${user.username},${to}`);
    expect(body.data).toEqual([{ id: user.id, name: user.name, username: to }]);
    expect(body.errors?.[0]).toMatchObject({ value: user.username, title: 'Not Found Error' });
    expect((await get(`/2/users/${user.id}`)).body.data).toMatchObject({ username: to });
    const before = setup(faults, '2016-12-08T07:00:00Z');
    expect((await before.get(`/2/users/by/username/${user.username}`)).body.data).toMatchObject({
      id: user.id,
    });
    expect((await before.get(`/2/users/by/username/${to}`)).body.errors?.[0]).toMatchObject({ value: to });
  });

  test('from: follows the account: the new name finds its earlier posts, the old one nothing', async () => {
    const { sim, get } = setup(faults);
    const to = sim.faults.renamedAccounts[0]?.to ?? '';
    const expected = scenario.posts
      .filter(
        (p) =>
          p.authorId === user.id && p.kind !== 'repost' && p.createdAt.getTime() <= Date.parse(NOON) - 30_000,
      )
      .map((p) => p.id)
      .reverse();
    const found = await searchAll(get, `from:${to}`, '&expansions=author_id');
    expect(found.flatMap(ids)).toEqual(expected);
    expect(found[0]?.includes?.users).toEqual([{ id: user.id, name: user.name, username: to }]);
    expect((await searchAll(get, `from:${user.username}`)).flatMap(ids)).toEqual([]);
  });
});

describe('transport faults', () => {
  const path = `/2/users/by?usernames=OpenData_Forum`;
  const statuses = async (faults: FaultOptions, n: number, paths: string[] = [path]) => {
    const { get, sim } = setup(faults);
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push((await get(paths[i % paths.length] ?? path)).status);
    return { seen, stats: sim.stats() };
  };

  test('none by default', async () => {
    const { seen, stats } = await statuses({}, 30);
    expect(new Set(seen)).toEqual(new Set([200]));
    expect(stats.faults).toEqual({
      unavailable: 0,
      dropped: 0,
      truncated: 0,
      slowed: 0,
      stormed: 0,
      malformedIds: [],
    });
  });

  test('503 bursts: deterministic from the seed, `burst` requests long', async () => {
    const faults = { serviceUnavailable: { rate: 0.1, burst: 4 } };
    const first = await statuses(faults, 120);
    expect((await statuses(faults, 120)).seen).toEqual(first.seen);
    expect((await statuses({ ...faults, seed: 5 }, 120)).seen).not.toEqual(first.seen);
    const runs = first.seen
      .map((s) => (s === 503 ? 'x' : '.'))
      .join('')
      .split('.')
      .filter((run) => run.length > 0);
    expect(runs.length).toBeGreaterThan(0);
    // Bursts can touch, so a run is a whole number of bursts.
    expect(runs.every((run) => run.length % 4 === 0)).toBe(true);
    expect(first.stats.faults.unavailable).toBe(runs.join('').length);
  });

  test('turning one fault on does not move where another falls', async () => {
    const alone = await statuses({ serviceUnavailable: { rate: 0.2, burst: 1 } }, 60);
    const withDrops = await statuses(
      { serviceUnavailable: { rate: 0.2, burst: 1 }, truncatedJson: { rate: 0.3 } },
      60,
    );
    expect(withDrops.seen.map((s) => s === 503)).toEqual(alone.seen.map((s) => s === 503));
  });

  test('only on the endpoints named', async () => {
    const search = '/2/tweets/search/recent?query=%23OGP16';
    const { seen } = await statuses(
      { serviceUnavailable: { rate: 1, burst: 1 }, endpoints: ['search'] },
      10,
      [path, search],
    );
    expect(seen).toEqual([200, 503, 200, 503, 200, 503, 200, 503, 200, 503]);
  });

  test('a dropped connection is a network error; a truncated body is a 200 that does not parse', async () => {
    const dropped = setup({ droppedConnections: { rate: 1 } });
    const res = await dropped.sim.app.request(path, AUTH);
    expect(res.type).toBe('error');
    expect(res.status).toBe(0);
    const truncated = setup({ truncatedJson: { rate: 1 } });
    const { status, text, res: cut } = await truncated.get(path);
    expect(status).toBe(200);
    expect(cut.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(text.startsWith('{"data":[')).toBe(true);
    expect(truncated.sim.stats().faults.truncated).toBe(1);
  });

  test('slow responses are held back in real time', async () => {
    const { get, sim } = setup({ slowResponses: { rate: 1, delayMs: 150 } });
    const started = performance.now();
    expect((await get(path)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.stats().faults.slowed).toBe(1);
  });

  test('429 storms: `burst` 429s in a row, each announcing a reset `resetMs` away; no budget spent', async () => {
    const { get, sim } = setup({ rateLimitStorms: { rate: 0.2, burst: 3, resetMs: 5000 } });
    const seen: Array<{ status: number; remaining: string | null; reset: string | null }> = [];
    for (let i = 0; i < 60; i++) {
      const { res } = await get(path);
      seen.push({
        status: res.status,
        remaining: res.headers.get('x-rate-limit-remaining'),
        reset: res.headers.get('x-rate-limit-reset'),
      });
    }
    const storms = seen.filter((answer) => answer.status === 429);
    expect(storms.length).toBeGreaterThan(0);
    expect(storms.length % 3).toBe(0);
    expect(storms.every((answer) => answer.remaining === '0')).toBe(true);
    expect(new Set(storms.map((answer) => answer.reset))).toEqual(
      new Set([String(Math.ceil((1_900_000_000_000 + 5000) / 1000))]),
    );
    expect(sim.stats().faults.stormed).toBe(storms.length);
    expect(sim.stats().rateLimited).toBe(0);
    // the 200s spent the window: 60 requests minus the storm's
    const last = seen.filter((answer) => answer.status === 200).at(-1);
    expect(Number(last?.remaining)).toBe(900 - (60 - storms.length));
  });

  test('a malformed 200 damages one entry and adds undocumented fields; the rest is intact', async () => {
    const search = `/2/tweets/search/recent?query=${encodeURIComponent('#OGP16')}&max_results=100&tweet.fields=author_id,public_metrics,created_at&expansions=author_id`;
    const clean = await setup({}).get(search);
    const { body, sim } = await (async () => {
      const s = setup({ malformedEntries: { rate: 1 } });
      return { ...(await s.get(search)), sim: s.sim };
    })();
    const [damagedId] = sim.stats().faults.malformedIds;
    expect(sim.stats().faults.malformedIds).toHaveLength(1);
    expect(ids(body)).toEqual(ids(clean.body));
    const damaged = body.data?.find((post) => post.id === damagedId);
    expect(damaged?.author_id).toBeUndefined();
    expect(damaged?.public_metrics).toBeUndefined();
    expect(damaged?.unexpected_field).toBeDefined();
    expect(body.unexpected_envelope_field).toBeDefined();
    const intact = (body.data ?? []).filter((post) => post.id !== damagedId);
    expect(intact).toEqual((clean.body.data ?? []).filter((post) => post.id !== damagedId));
  });

  test('503s spend no rate-limit budget and carry no rate-limit headers', async () => {
    const { get } = setup({ serviceUnavailable: { rate: 1, burst: 1 } });
    const res = (await get(path)).res;
    expect(res.headers.get('x-rate-limit-remaining')).toBeNull();
  });
});
