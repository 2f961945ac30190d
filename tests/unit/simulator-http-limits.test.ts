import { describe, expect, test } from 'vitest';
import { ManualClock, ReplayClock } from '../../src/clock.ts';
import { createSimulatorApp, generateScenario, type SimulatorAppOptions } from '../../src/simulator/index.ts';
import {
  AUTH,
  home,
  NOON_DAY_TWO,
  scenario,
  TOKEN,
  type WireBody,
} from '../support/simulator-http-fixture.ts';

function setupWith(options: Partial<SimulatorAppOptions>, now = NOON_DAY_TWO) {
  let realMs = Date.parse('2030-01-15T10:00:00Z');
  const clock = new ManualClock(now);
  const app = createSimulatorApp({ scenario, clock, bearerToken: TOKEN, realNow: () => realMs, ...options });
  const get = async (path: string) => {
    const res = await app.request(path, AUTH);
    return { res, status: res.status, body: (await res.json()) as Record<string, unknown> & WireBody };
  };
  return { get, clock, advanceRealTime: (ms: number) => (realMs += ms) };
}

/** Search results for a query, every page, as ids newest first. */
async function searchIds(get: ReturnType<typeof setupWith>['get'], base: string): Promise<string[]> {
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const { body } = await get(`${base}${token ? `&next_token=${token}` : ''}`);
    seen.push(...(body.data ?? []).map((w) => String(w.id)));
    token = body.meta?.next_token;
  } while (token);
  return seen;
}

describe('archive search', () => {
  test('reaches past the 7 days of recent search, 500 posts a page', async () => {
    const { get } = setupWith({ archiveSearchIntervalMs: 0 }, '2016-12-20T12:00:00+01:00');
    expect((await get('/2/tweets/search/recent?query=%23OGP16')).body).toEqual({ meta: { result_count: 0 } });
    const all = await get(
      '/2/tweets/search/all?query=%23OGP16&max_results=500&start_time=2016-12-01T00:00:00Z',
    );
    expect(all.status).toBe(200);
    expect(all.body.data?.length).toBeGreaterThan(100);
    expect((await get('/2/tweets/search/all?query=%23OGP16&max_results=501')).status).toBe(400);
    // Without start_time the archive answers the last 30 days.
    const lately = await searchIds(get, '/2/tweets/search/all?query=%23OGP16&max_results=500');
    expect(lately).toEqual(
      await searchIds(
        get,
        '/2/tweets/search/all?query=%23OGP16&max_results=500&start_time=2016-11-20T11:00:00Z',
      ),
    );
  });

  test('one request per second: a second one at once is a 429 with the window’s headers', async () => {
    const { get, advanceRealTime } = setupWith({}, '2016-12-20T12:00:00+01:00');
    const path = '/2/tweets/search/all?query=%23OGP16&start_time=2016-12-01T00:00:00Z';
    expect((await get(path)).status).toBe(200);
    const again = await get(path);
    expect(again.status).toBe(429);
    expect(again.res.headers.get('x-rate-limit-remaining')).toBe('299');
    advanceRealTime(1000);
    expect((await get(path)).status).toBe(200);
  });
});

describe('access tiers', () => {
  test('basic: its limits in the headers; no archive search, no counts (403 client-not-enrolled)', async () => {
    const { get } = setupWith({ tier: 'basic' });
    const search = await get('/2/tweets/search/recent?query=%23OGP16');
    expect(search.res.headers.get('x-rate-limit-limit')).toBe('60');
    for (const path of ['/2/tweets/search/all?query=%23OGP16', '/2/tweets/counts/recent?query=%23OGP16']) {
      const { status, body, res } = await get(path);
      expect(status).toBe(403);
      expect(body).toMatchObject({ reason: 'client-not-enrolled', title: 'Client Forbidden' });
      expect(res.headers.get('x-rate-limit-limit')).toBeNull();
    }
  });

  test('rateLimits override the tier’s; each endpoint of a family has its own window', async () => {
    const { get } = setupWith({ tier: 'pro', rateLimits: { users: 1 } });
    expect((await get('/2/users/by?usernames=OpenData_Forum')).status).toBe(200);
    expect((await get('/2/users/by?usernames=OpenData_Forum')).status).toBe(429);
    expect((await get(`/2/users?ids=${home.id}`)).status).toBe(200);
    expect((await get(`/2/users/${home.id}`)).status).toBe(200);
    const search = await get('/2/tweets/search/recent?query=%23OGP16');
    expect(search.res.headers.get('x-rate-limit-limit')).toBe('450');
  });
});

describe('counts', () => {
  test('per day and per hour, the totals are what search returns', async () => {
    const { get } = setupWith({});
    const expected = await searchIds(get, '/2/tweets/search/recent?query=%23OGPSummit&max_results=100');
    for (const granularity of ['day', 'hour']) {
      const { body } = await get(`/2/tweets/counts/recent?query=%23OGPSummit&granularity=${granularity}`);
      const data = body.data as unknown as Array<{ start: string; end: string; tweet_count: number }>;
      expect(data.reduce((sum, bucket) => sum + bucket.tweet_count, 0)).toBe(expected.length);
      expect((body.meta as unknown as { total_tweet_count: number }).total_tweet_count).toBe(expected.length);
      for (let i = 1; i < data.length; i++) expect(data[i]?.start).toBe(data[i - 1]?.end);
    }
  });

  test('start_time, end_time and since_id bound the count', async () => {
    const { get } = setupWith({});
    const window = 'start_time=2016-12-07T08:00:00Z&end_time=2016-12-07T20:00:00Z';
    const expected = await searchIds(get, `/2/tweets/search/recent?query=%23OGP16&max_results=100&${window}`);
    const { body } = await get(`/2/tweets/counts/recent?query=%23OGP16&granularity=hour&${window}`);
    expect(body.data).toHaveLength(12);
    expect((body.meta as unknown as { total_tweet_count: number }).total_tweet_count).toBe(expected.length);
    // Ids bound a count too, but never beside instants (X refuses the mix).
    const sinceId = expected[2];
    const newer = await searchIds(
      get,
      `/2/tweets/search/recent?query=%23OGP16&max_results=100&since_id=${sinceId}`,
    );
    const since = await get(`/2/tweets/counts/recent?query=%23OGP16&since_id=${sinceId}`);
    expect((since.body.meta as unknown as { total_tweet_count: number }).total_tweet_count).toBe(
      newer.length,
    );
    expect(newer.length).toBeGreaterThan(2);
    expect((await get(`/2/tweets/counts/recent?query=%23OGP16&${window}&since_id=${sinceId}`)).status).toBe(
      400,
    );
  });
});

describe('usage and the monthly cap', () => {
  const usage = async (get: ReturnType<typeof setupWith>['get']) =>
    (await get('/2/usage/tweets')).body.data as unknown as Record<string, unknown>;

  test('posts from search and timelines count; user and post lookups do not (Basic and Pro)', async () => {
    const { get } = setupWith({ tier: 'pro' });
    expect(await usage(get)).toMatchObject({ project_usage: '0', project_cap: '1000000' });
    await get('/2/tweets/search/recent?query=%23OGP16&max_results=25');
    await get(`/2/users/${home.id}/tweets?max_results=5`);
    await get('/2/users/by?usernames=OpenData_Forum');
    await get(`/2/tweets?ids=${scenario.posts[0]?.id}`);
    expect(await usage(get)).toMatchObject({ project_usage: '30' });
  });

  test('pay-per-use: lookups count too, the same post once a UTC day', async () => {
    const { get, advanceRealTime } = setupWith({ tier: 'pay-per-use' });
    const ids = scenario.posts.slice(0, 3).map((p) => p.id);
    await get(`/2/tweets?ids=${ids.join(',')}`);
    await get(`/2/tweets?ids=${ids.join(',')}`);
    expect(await usage(get)).toMatchObject({ project_usage: '3', project_cap: '2000000' });
    advanceRealTime(24 * 3_600_000);
    await get(`/2/tweets?ids=${ids.join(',')}`);
    expect(await usage(get)).toMatchObject({ project_usage: '6' });
  });

  test('daily breakdowns on request; the count restarts on the reset day', async () => {
    const { get, advanceRealTime } = setupWith({ capResetDay: 20 });
    await get('/2/tweets/search/recent?query=%23OGP16&max_results=10');
    advanceRealTime(24 * 3_600_000);
    await get('/2/tweets/search/recent?query=%23OGP16&max_results=12');
    const { body } = await get(
      '/2/usage/tweets?usage.fields=daily_project_usage,daily_client_app_usage&days=5',
    );
    const data = body.data as unknown as {
      cap_reset_day: number;
      project_id: string;
      daily_project_usage: { project_id: string; usage: Array<{ date: string; usage: string }> };
      daily_client_app_usage: Array<{ usage: unknown[]; usage_result_count: number }>;
    };
    expect(data.daily_project_usage).toEqual({
      project_id: data.project_id,
      usage: [
        { date: '2030-01-15T00:00:00.000Z', usage: '10' },
        { date: '2030-01-16T00:00:00.000Z', usage: '12' },
      ],
    });
    expect(data.daily_client_app_usage[0]?.usage_result_count).toBe(2);
    expect(data.cap_reset_day).toBe(4);
    advanceRealTime(4 * 24 * 3_600_000);
    expect(await usage(get)).toMatchObject({ project_usage: '0', cap_reset_day: 31 });
  });

  test('at the cap: 429 UsageCapExceeded with requests left in the window; other endpoints go on', async () => {
    const { get } = setupWith({ monthlyPostCap: 15 });
    expect((await get('/2/tweets/search/recent?query=%23OGP16&max_results=20')).status).toBe(200);
    const capped = await get('/2/tweets/search/recent?query=%23OGP16');
    expect(capped.status).toBe(429);
    expect(capped.body).toMatchObject({ title: 'UsageCapExceeded', period: 'Monthly', scope: 'Product' });
    expect(Number(capped.res.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(0);
    expect((await get(`/2/users/${home.id}/tweets`)).status).toBe(429);
    expect((await get('/2/users/by?usernames=OpenData_Forum')).status).toBe(200);
    expect(await usage(get)).toMatchObject({ project_usage: '20', project_cap: '15' });
  });
});

describe('reach and time', () => {
  test('timelines reach back 3,200 posts, 800 once replies are excluded', async () => {
    const busy = generateScenario({ seed: 5, accounts: 12, posts: 30_000 });
    const [top] = busy.truth.postsLeaderboard();
    const user = busy.users.find((u) => u.id === top?.authorId);
    const own = busy.posts.filter((p) => p.authorId === user?.id);
    expect(own.length).toBeGreaterThan(3200);
    const app = createSimulatorApp({
      scenario: busy,
      clock: new ManualClock('2016-12-12T00:00:00Z'),
      bearerToken: TOKEN,
    });
    const walk = async (extra: string) => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const res = await app.request(
          `/2/users/${user?.id}/tweets?max_results=100${extra}${token ? `&pagination_token=${token}` : ''}`,
          AUTH,
        );
        const body = (await res.json()) as WireBody;
        seen.push(...(body.data ?? []).map((w) => String(w.id)));
        token = body.meta?.next_token;
      } while (token);
      return seen;
    };
    expect(await walk('')).toEqual(
      own
        .slice(-3200)
        .map((p) => p.id)
        .reverse(),
    );
    const withoutReplies = await walk('&exclude=replies');
    expect(withoutReplies).toHaveLength(800);
    expect(withoutReplies).toEqual(
      own
        .filter((p) => p.kind !== 'reply')
        .slice(-800)
        .map((p) => p.id)
        .reverse(),
    );
  });

  test('under a replay clock, posts appear as simulated time runs faster than real time', async () => {
    let realMs = 0;
    const target = scenario.posts.find((p) => p.authorId === home.id && p.createdAt > new Date(NOON_DAY_TWO));
    const start = new Date((target?.createdAt.getTime() ?? 0) - 30 * 60_000);
    const clock = new ReplayClock(start, 60, () => realMs);
    const app = createSimulatorApp({ scenario, clock, bearerToken: TOKEN });
    const newest = async () => {
      const res = await app.request(`/2/users/${home.id}/tweets?max_results=5`, AUTH);
      return ((await res.json()) as WireBody).meta?.newest_id;
    };
    const before = await newest();
    // One real minute is an hour of the summit.
    realMs += 60_000;
    const after = await newest();
    const expected = scenario.posts.filter(
      (p) => p.authorId === home.id && p.createdAt.getTime() <= start.getTime() + 3_600_000,
    );
    expect(after).toBe(expected[expected.length - 1]?.id);
    expect(after).not.toBe(before);
  });
});
