import { describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { createSimulator, generateScenario, type SimulatorAppOptions } from '../../src/simulator/index.ts';

/**
 * The archive endpoints as X serves them (search/all, counts/all), and the rate-limit rules a client
 * of them meets: one request a second, windows that reset, ids and instants never mixed as bounds.
 */
const TOKEN = 'archive-bearer';
const scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
/** Two months after the summit: nothing of it is within recent search's 7 days. */
const LATER = '2017-02-10T12:00:00Z';
const REAL_START = Date.parse('2030-01-15T10:00:00Z');

interface Body {
  data?: Array<Record<string, unknown>>;
  meta?: { next_token?: string; total_tweet_count?: number; result_count?: number };
  errors?: Array<{ message?: string; parameters?: Record<string, string[]> }>;
  reason?: string;
}

function setup(options: Partial<SimulatorAppOptions> = {}, now = LATER) {
  let realMs = REAL_START;
  const sim = createSimulator({
    scenario,
    clock: new ManualClock(now),
    bearerToken: TOKEN,
    realNow: () => realMs,
    ...options,
  });
  const get = async (path: string) => {
    const res = await sim.app.request(path, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { res, status: res.status, body: (await res.json()) as Body };
  };
  return { sim, get, advanceRealTime: (ms: number) => (realMs += ms) };
}

async function everyPage(get: ReturnType<typeof setup>['get'], base: string): Promise<Body[]> {
  const pages: Body[] = [];
  let token: string | undefined;
  do {
    const { status, body } = await get(`${base}${token ? `&next_token=${token}` : ''}`);
    expect(status).toBe(200);
    pages.push(body);
    token = body.meta?.next_token;
  } while (token);
  return pages;
}

const summitPosts = (from: string, to: string) =>
  scenario.posts.filter(
    (post) =>
      post.kind !== 'repost' &&
      post.hashtags.some((tag) => tag.toLowerCase() === 'ogp16') &&
      post.createdAt >= new Date(from) &&
      post.createdAt < new Date(to),
  ).length;

describe('search/all and counts/all', () => {
  test('ids and instants are never mixed as bounds: a 400 naming both parameters', async () => {
    const { get } = setup({ archiveSearchIntervalMs: 0 });
    const id = scenario.posts[300]?.id ?? '';
    for (const [path, idName, timeName] of [
      [
        `/2/tweets/search/all?query=%23OGP16&since_id=${id}&start_time=2016-12-01T00:00:00Z`,
        'since_id',
        'start_time',
      ],
      [
        `/2/tweets/search/all?query=%23OGP16&until_id=${id}&end_time=2016-12-09T00:00:00Z`,
        'until_id',
        'end_time',
      ],
      [
        `/2/tweets/counts/all?query=%23OGP16&until_id=${id}&start_time=2016-12-01T00:00:00Z`,
        'until_id',
        'start_time',
      ],
    ] as const) {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body.errors?.[0]?.message).toBe(
        `The \`${idName}\` query parameter can not be used with the \`${timeName}\` query parameter`,
      );
      expect(Object.keys(body.errors?.[0]?.parameters ?? {})).toEqual([idName, timeName]);
    }
    expect((await get(`/2/tweets/search/all?query=%23OGP16&until_id=${id}`)).status).toBe(200);
  });

  test('the archive reaches back to 2006 and no further', async () => {
    const { get } = setup({ archiveSearchIntervalMs: 0 });
    expect((await get('/2/tweets/search/all?query=%23OGP16&start_time=2006-03-21T00:00:00Z')).status).toBe(
      200,
    );
    const before = await get('/2/tweets/search/all?query=%23OGP16&start_time=2006-03-20T23:59:00Z');
    expect(before.status).toBe(400);
  });

  test('counts/all: last 30 days by default, 31 days a page, totals equal to search/all', async () => {
    const { get } = setup({ archiveSearchIntervalMs: 0 }, '2016-12-20T12:00:00Z');
    const byDefault = await get('/2/tweets/counts/all?query=%23OGP16&granularity=day');
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.meta?.next_token).toBeUndefined();
    expect(byDefault.body.data?.length).toBe(31);
    expect(byDefault.body.meta?.total_tweet_count).toBe(
      summitPosts('2016-11-20T11:59:50Z', '2016-12-20T11:59:50Z'),
    );

    const span = 'start_time=2016-09-01T00:00:00Z&end_time=2016-12-15T00:00:00Z';
    const pages = await everyPage(get, `/2/tweets/counts/all?query=%23OGP16&granularity=day&${span}`);
    expect(pages.length).toBe(4);
    const total = pages.reduce((sum, page) => sum + (page.meta?.total_tweet_count ?? 0), 0);
    const found = await everyPage(get, `/2/tweets/search/all?query=%23OGP16&max_results=500&${span}`);
    expect(total).toBe(found.reduce((sum, page) => sum + (page.data?.length ?? 0), 0));
    expect(total).toBe(summitPosts('2016-09-01T00:00:00Z', '2016-12-15T00:00:00Z'));
    expect(total).toBeGreaterThan(100);
    // Newest page first: the first page ends at end_time, the last starts at start_time.
    expect(pages[0]?.data?.at(-1)?.end).toBe('2016-12-15T00:00:00.000Z');
    expect(pages.at(-1)?.data?.[0]?.start).toBe('2016-09-01T00:00:00.000Z');
  });

  test('a tier without the archive: 403 client-not-enrolled for both', async () => {
    const { get } = setup({ tier: 'basic' });
    for (const path of ['/2/tweets/search/all?query=%23OGP16', '/2/tweets/counts/all?query=%23OGP16']) {
      const { status, body } = await get(path);
      expect(status).toBe(403);
      expect(body.reason).toBe('client-not-enrolled');
    }
  });
});

describe('rate limits a client can wait out', () => {
  test('one archive search a second: the 429 announces the next second, not the window’s end', async () => {
    const { get, advanceRealTime } = setup();
    const path = '/2/tweets/search/all?query=%23OGP16&start_time=2016-12-01T00:00:00Z';
    expect((await get(path)).status).toBe(200);
    const again = await get(path);
    expect(again.status).toBe(429);
    expect(again.res.headers.get('x-rate-limit-reset')).toBe(String(REAL_START / 1000 + 1));
    advanceRealTime(1000);
    expect((await get(path)).status).toBe(200);
  });

  test('short windows for tests: 1 request per 3 s, then a 429 until the reset; the log keeps it all', async () => {
    const { sim, get, advanceRealTime } = setup(
      { rateLimitWindowMs: 3000, rateLimits: { search: 1 } },
      '2016-12-08T12:00:00Z',
    );
    const path = '/2/tweets/search/recent?query=%23OGP16';
    const first = await get(path);
    expect(first.status).toBe(200);
    expect(first.res.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(first.res.headers.get('x-rate-limit-reset')).toBe(String(REAL_START / 1000 + 3));
    advanceRealTime(2000);
    expect((await get(path)).status).toBe(429);
    advanceRealTime(1000);
    expect((await get(path)).status).toBe(200);
    expect(sim.requestLog()).toEqual([
      { atMs: REAL_START, family: 'search', status: 200, remaining: 0, reset: REAL_START / 1000 + 3 },
      { atMs: REAL_START + 2000, family: 'search', status: 429, remaining: 0, reset: REAL_START / 1000 + 3 },
      { atMs: REAL_START + 3000, family: 'search', status: 200, remaining: 0, reset: REAL_START / 1000 + 6 },
    ]);
  });
});
