import http from 'node:http';
import {
  ApiPartialResponseError,
  ApiRequestError,
  ApiResponseError,
  type TweetV2,
  TwitterApi,
} from 'twitter-api-v2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import {
  generateScenario,
  type RunningSimulator,
  type Scenario,
  startSimulator,
} from '../../src/simulator/index.ts';

/** `setPrefix` is public at runtime but declared protected in twitter-api-v2's types. */
interface Prefixable {
  setPrefix(prefix: string): void;
}

const TOKEN = 'integration-bearer';
const scenario: Scenario = generateScenario({ seed: 11, accounts: 200, posts: 2500 });

function clientFor(sim: RunningSimulator, token = TOKEN): TwitterApi {
  // twitter-api-v2 always calls https.request: an http.Agent makes it speak plain HTTP to the simulator.
  const client = new TwitterApi(token, { httpAgent: new http.Agent() });
  (client.v2 as unknown as Prefixable).setPrefix(sim.baseUrl);
  return client;
}

/** What a recent search for one hashtag must return, recomputed from the scenario's texts. */
function expectedHashtagSearch(tag: string, now: Date, sinceId?: string): string[] {
  const tagRe = new RegExp(`(?:^|[^\\p{L}\\p{N}_&])#${tag}(?![\\p{L}\\p{M}\\p{N}_])`, 'iu');
  const newest = now.getTime() - 30_000;
  const oldest = now.getTime() - 7 * 24 * 3_600_000;
  return scenario.posts
    .filter((p) => p.kind !== 'repost' && tagRe.test(p.text))
    .filter((p) => p.createdAt.getTime() <= newest && p.createdAt.getTime() >= oldest)
    .filter((p) => sinceId === undefined || BigInt(p.id) > BigInt(sinceId))
    .map((p) => p.id)
    .reverse();
}

async function apiError(promise: Promise<unknown>): Promise<ApiResponseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiResponseError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('the simulator through twitter-api-v2', () => {
  const clock = new ManualClock('2016-12-09T15:00:00+01:00');
  let sim: RunningSimulator;
  let client: TwitterApi;

  beforeAll(async () => {
    sim = await startSimulator({ scenario, clock, bearerToken: TOKEN, port: 0 });
    client = clientFor(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  test('listens on a free port and reports a /2/ base URL', () => {
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.baseUrl).toBe(`http://127.0.0.1:${sim.port}/2/`);
  });

  test('search paged to the end with next_token gives exactly the matching non-reposts up to now', async () => {
    const seen: string[] = [];
    let page = await client.v2.search('#OGP16', {
      max_results: 100,
      'tweet.fields': ['created_at', 'author_id'],
    });
    let pages = 1;
    seen.push(...page.tweets.map((t) => t.id));
    while (page.meta.next_token) {
      expect(page.tweets).toHaveLength(100);
      page = await page.next(100);
      seen.push(...page.tweets.map((t) => t.id));
      pages++;
    }
    expect(pages).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expectedHashtagSearch('OGP16', clock.now()));
  });

  test('since_id returns only newer posts', async () => {
    const first = await client.v2.search('#OGP16', { max_results: 10 });
    const newestId = first.meta.newest_id;
    expect(newestId).toBeDefined();
    clock.advance(2 * 3_600_000);
    try {
      const newer: string[] = [];
      let page = await client.v2.search('#OGP16', { max_results: 100, since_id: newestId });
      newer.push(...page.tweets.map((t) => t.id));
      while (page.meta.next_token) {
        page = await page.next(100);
        newer.push(...page.tweets.map((t) => t.id));
      }
      expect(newer.length).toBeGreaterThan(0);
      expect(newer.every((id) => BigInt(id) > BigInt(newestId ?? '0'))).toBe(true);
      expect(newer).toEqual(expectedHashtagSearch('OGP16', clock.now(), newestId));
    } finally {
      clock.advance(-2 * 3_600_000);
    }
  });

  test('without field parameters a post is id, text, edit_history_tweet_ids only', async () => {
    const page = await client.v2.search('#OGPSummit');
    expect(page.tweets.length).toBeGreaterThan(0);
    for (const tweet of page.tweets as TweetV2[]) {
      expect(Object.keys(tweet).sort()).toEqual(['edit_history_tweet_ids', 'id', 'text']);
    }
    const users = await client.v2.usersByUsernames(['OpenData_Forum']);
    expect(Object.keys(users.data[0] ?? {}).sort()).toEqual(['id', 'name', 'username']);
  });

  test('users by usernames with an unknown name: data and errors, HTTP 200', async () => {
    const result = await client.v2.usersByUsernames(['OpenData_Forum', 'NoSuchAccount9'], {
      'user.fields': ['public_metrics'],
    });
    expect(result.data.map((u) => u.username)).toEqual(['OpenData_Forum']);
    expect(result.data[0]?.public_metrics?.followers_count).toBe(
      scenario.truth.followerSeries('OpenData_Forum', [clock.now()])[0],
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        value: 'NoSuchAccount9',
        title: 'Not Found Error',
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      }),
    ]);
  });

  test('a user timeline through the client paginator', async () => {
    const home = scenario.users.find((u) => u.username === 'OpenData_Forum');
    const timeline = await client.v2.userTimeline(home?.id ?? '', { max_results: 20 });
    // fetchLast() would re-request the first page when there is no next one: drive the pages instead.
    while (!timeline.done) await timeline.fetchNext(20);
    const expected = scenario.posts.filter((p) => p.authorId === home?.id && p.createdAt <= clock.now());
    expect(timeline.tweets.map((t) => t.id)).toEqual(expected.map((p) => p.id).reverse());
  });

  test('no token or a wrong one: 401, without rate-limit headers', async () => {
    const error = await apiError(clientFor(sim, 'wrong-token').v2.search('#OGP16'));
    expect(error.code).toBe(401);
    expect(error.rateLimit).toBeUndefined();
    expect(error.data).toMatchObject({ title: 'Unauthorized', status: 401 });
    const bare = await fetch(`${sim.baseUrl}tweets/search/recent?query=%23OGP16`);
    expect(bare.status).toBe(401);
  });

  test('search with max_results=5: 400 invalid request', async () => {
    const error = await apiError(client.v2.search('#OGP16', { max_results: 5 }));
    expect(error.code).toBe(400);
    expect(error.data).toMatchObject({
      title: 'Invalid Request',
      errors: [{ parameters: { max_results: ['5'] } }],
    });
  });
});

describe('rate limiting through twitter-api-v2', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    const clock = new ManualClock('2016-12-09T15:00:00+01:00');
    sim = await startSimulator({ scenario, clock, bearerToken: TOKEN, rateLimits: { users: 2 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('429 once a tiny limit is exceeded, with the x-rate-limit headers', async () => {
    const client = clientFor(sim);
    const ok = await client.v2.usersByUsernames(['OpenData_Forum']);
    expect(ok.data).toHaveLength(1);
    await client.v2.usersByUsernames(['OpenData_Forum']);
    const error = await apiError(client.v2.usersByUsernames(['OpenData_Forum']));
    expect(error.code).toBe(429);
    expect(error.rateLimitError).toBe(true);
    expect(error.rateLimit?.limit).toBe(2);
    expect(error.rateLimit?.remaining).toBe(0);
    const nowSeconds = Date.now() / 1000;
    expect(error.rateLimit?.reset).toBeGreaterThan(nowSeconds);
    expect(error.rateLimit?.reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 900);
    expect(error.data).toEqual({
      title: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
      detail: 'Too Many Requests',
    });
  });
});

describe('transport faults through twitter-api-v2, over a real socket', () => {
  const clock = new ManualClock('2016-12-09T15:00:00+01:00');
  const started: RunningSimulator[] = [];
  const serve = async (faults: Parameters<typeof startSimulator>[0]['faults']) => {
    const sim = await startSimulator({ scenario, clock, bearerToken: TOKEN, faults });
    started.push(sim);
    return sim;
  };
  afterAll(async () => {
    for (const sim of started) await sim.close();
  });

  test('a dropped connection is a request error (no response at all)', async () => {
    const sim = await serve({ droppedConnections: { rate: 1 } });
    const error = await clientFor(sim)
      .v2.usersByUsernames(['OpenData_Forum'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(sim.stats().faults.dropped).toBe(1);
  });

  test('a truncated body is a partial-response error, with HTTP 200', async () => {
    const sim = await serve({ truncatedJson: { rate: 1 } });
    const error = await clientFor(sim)
      .v2.search('#OGP16')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiPartialResponseError);
    expect((error as ApiPartialResponseError).response.statusCode).toBe(200);
  });

  test('a 503 burst ends: retrying gets through, and the burst cost no rate-limit budget', async () => {
    const sim = await serve({ serviceUnavailable: { rate: 0.5, burst: 2 }, seed: 3 });
    const client = clientFor(sim);
    let failures = 0;
    for (;;) {
      try {
        const ok = await client.v2.usersByUsernames(['OpenData_Forum'], {});
        expect(ok.data).toHaveLength(1);
        break;
      } catch (error) {
        expect(error).toBeInstanceOf(ApiResponseError);
        expect((error as ApiResponseError).code).toBe(503);
        expect((error as ApiResponseError).rateLimit).toBeUndefined();
        failures++;
        if (failures > 50) throw error;
      }
    }
    expect(failures).toBeGreaterThan(0);
    const stats = sim.stats();
    expect(stats.faults.unavailable).toBe(failures);
    expect(stats.requests.users).toBe(failures + 1);
  });
});
