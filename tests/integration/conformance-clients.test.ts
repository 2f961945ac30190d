import http from 'node:http';
import { Client as XdkClient } from '@xdevplatform/xdk';
import { Client as SdkClient, auth as sdkAuth } from 'twitter-api-sdk';
import { rest as sdkRest } from 'twitter-api-sdk/dist/request.js';
import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import {
  generateScenario,
  type RunningSimulator,
  type Scenario,
  type SimulatorServerOptions,
  startSimulator,
} from '../../src/simulator/index.ts';

/**
 * The simulator through clients that are not ours: twitter-api-v2 (what the collector uses) and X's own
 * TypeScript SDK, twitter-api-sdk (independent code, generated from X's OpenAPI spec of the classic-name
 * era, which takes a custom `base_url` and speaks plain HTTP through node-fetch). Both must parse every
 * endpoint's responses, page to the end, and surface a 429 with its reset time.
 *
 * @xdevplatform/xdk, X's newer SDK, asks for `post.fields` (the 2026 names, spec v2.167+), which the
 * 2.166 API this simulator reproduces refuses; it is used here only where its requests carry no post
 * fields (usage, users), as a third opinion.
 */

interface Prefixable {
  setPrefix(prefix: string): void;
}

const TOKEN = 'conformance-bearer';
const NOW = '2016-12-09T15:00:00+01:00';
const scenario: Scenario = generateScenario({ seed: 11, accounts: 200, posts: 2500 });
const home = scenario.users.find((user) => user.username === scenario.homeUsername);
if (!home) throw new Error('no home account');
const visibleAt = (post: { createdAt: Date }, nowMs: number) => post.createdAt.getTime() <= nowMs;

/** Recent-search results recomputed from the texts: the hashtag anywhere, no reposts, indexed 30 s after. */
function expectedSearch(tag: string, fromMs: number): string[] {
  const nowMs = Date.parse(NOW);
  const tagRe = new RegExp(`(?:^|[^\\p{L}\\p{N}_&])#${tag}(?![\\p{L}\\p{M}\\p{N}_])`, 'iu');
  return scenario.posts
    .filter((p) => p.kind !== 'repost' && tagRe.test(p.text))
    .filter((p) => p.createdAt.getTime() <= nowMs - 30_000 && p.createdAt.getTime() >= fromMs)
    .map((p) => p.id)
    .reverse();
}
const expectedTimeline = () =>
  scenario.posts
    .filter((p) => p.authorId === home.id && visibleAt(p, Date.parse(NOW)))
    .map((p) => p.id)
    .reverse();
const someIds = () => scenario.posts.filter((p) => visibleAt(p, Date.parse(NOW))).map((p) => p.id);

async function serve(options: Partial<SimulatorServerOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({
    scenario,
    clock: new ManualClock(NOW),
    bearerToken: TOKEN,
    archiveSearchIntervalMs: 0,
    ...options,
  });
}

function twitterApiV2(sim: RunningSimulator) {
  // twitter-api-v2 always calls https.request: an http.Agent makes it speak plain HTTP to the simulator.
  const client = new TwitterApi(TOKEN, { httpAgent: new http.Agent() });
  (client.v2 as unknown as Prefixable).setPrefix(sim.baseUrl);
  return client.v2;
}

const origin = (sim: RunningSimulator) => sim.baseUrl.replace(/\/2\/$/, '');
const sdk = (sim: RunningSimulator) =>
  new SdkClient(new sdkAuth.OAuth2Bearer(TOKEN), { base_url: origin(sim) });

async function failure<T>(promise: Promise<unknown>, kind: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** twitter-api-sdk's TwitterResponseError (not exported): status, headers as a plain object, the body. */
interface SdkResponseError {
  status?: number;
  headers?: Record<string, string>;
  error?: { title?: string };
}

async function sdkFailure(request: () => Promise<unknown>): Promise<SdkResponseError> {
  try {
    await request();
  } catch (error) {
    return error as SdkResponseError;
  }
  throw new Error('expected the request to fail');
}

describe('twitter-api-v2 and twitter-api-sdk parse every endpoint and page to the end', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await serve();
  });
  afterAll(async () => {
    await sim.close();
  });

  test('recent search, paged to the end', async () => {
    const expected = expectedSearch('OGP16', Date.parse(NOW) - 7 * 86_400_000);
    expect(expected.length).toBeGreaterThan(250);

    const v2 = twitterApiV2(sim);
    const paginator = await v2.search('#OGP16', {
      max_results: 100,
      'tweet.fields': ['created_at', 'author_id'],
    });
    while (!paginator.done) await paginator.fetchNext(100);
    expect(paginator.tweets.map((t) => t.id)).toEqual(expected);

    const seen: string[] = [];
    for await (const page of sdk(sim).tweets.tweetsRecentSearch({
      query: '#OGP16',
      max_results: 100,
      'tweet.fields': ['created_at', 'author_id'],
    })) {
      seen.push(...(page.data ?? []).map((t) => t.id));
      expect(page.meta?.result_count).toBe(page.data?.length ?? 0);
    }
    expect(seen).toEqual(expected);
  });

  test('archive search, paged to the end', async () => {
    const start = '2016-12-01T00:00:00Z';
    const expected = expectedSearch('OGPSummit', Date.parse(start));
    const v2 = twitterApiV2(sim);
    const paginator = await v2.searchAll('#OGPSummit', { max_results: 100, start_time: start });
    while (!paginator.done) await paginator.fetchNext(100);
    expect(paginator.tweets.map((t) => t.id)).toEqual(expected);

    const seen: string[] = [];
    for await (const page of sdk(sim).tweets.tweetsFullarchiveSearch({
      query: '#OGPSummit',
      max_results: 100,
      start_time: start,
    })) {
      seen.push(...(page.data ?? []).map((t) => t.id));
    }
    expect(seen).toEqual(expected);
  });

  test('recent counts', async () => {
    const total = expectedSearch('OGP16', Date.parse(NOW) - 7 * 86_400_000).length;
    const counts = await twitterApiV2(sim).tweetCountRecent('#OGP16', { granularity: 'day' });
    expect(counts.meta.total_tweet_count).toBe(total);
    expect(counts.data.reduce((sum, bucket) => sum + bucket.tweet_count, 0)).toBe(total);
    const viaSdk = await sdk(sim).tweets.tweetCountsRecentSearch({ query: '#OGP16', granularity: 'hour' });
    expect(viaSdk.meta?.total_tweet_count).toBe(total);
    expect(viaSdk.data).toHaveLength(7 * 24 + 1);
  });

  test('a user timeline, paged to the end with pagination_token', async () => {
    const expected = expectedTimeline();
    const timeline = await twitterApiV2(sim).userTimeline(home.id, { max_results: 20 });
    while (!timeline.done) await timeline.fetchNext(20);
    expect(timeline.tweets.map((t) => t.id)).toEqual(expected);

    const seen: string[] = [];
    for await (const page of sdk(sim).tweets.usersIdTweets(home.id, { max_results: 20 })) {
      seen.push(...(page.data ?? []).map((t) => t.id));
    }
    expect(seen).toEqual(expected);
  });

  test('user lookups: by usernames, by username, by ids, by id — partial errors kept', async () => {
    const v2 = twitterApiV2(sim);
    const byNames = await v2.usersByUsernames(['OpenData_Forum', 'NoSuchUser42'], {
      'user.fields': ['public_metrics'],
    });
    expect(byNames.data.map((u) => u.id)).toEqual([home.id]);
    expect(byNames.data[0]?.public_metrics?.followers_count).toBe(home.followersAt(new Date(NOW)));
    expect(byNames.errors?.map((e) => e.value)).toEqual(['NoSuchUser42']);
    expect((await v2.userByUsername('opendata_forum')).data.id).toBe(home.id);
    expect((await v2.users([home.id, '42'])).errors?.[0]).toMatchObject({ value: '42', parameter: 'ids' });
    expect((await v2.user(home.id)).data.username).toBe('OpenData_Forum');

    const client = sdk(sim);
    const viaSdk = await client.users.findUsersByUsername({
      usernames: ['OpenData_Forum', 'NoSuchUser42'],
      'user.fields': ['public_metrics'],
    });
    expect(viaSdk.data?.[0]?.public_metrics?.followers_count).toBe(home.followersAt(new Date(NOW)));
    expect(viaSdk.errors?.[0]).toMatchObject({ value: 'NoSuchUser42', title: 'Not Found Error' });
    expect((await client.users.findUserByUsername('OpenData_Forum')).data?.id).toBe(home.id);
    expect((await client.users.findUsersById({ ids: [home.id, '42'] })).errors).toHaveLength(1);
    expect((await client.users.findUserById(home.id)).data?.username).toBe('OpenData_Forum');
  });

  test('post lookups: by ids (an unknown one among them) and by id, with metrics as of now', async () => {
    const [first, second] = someIds();
    const post = scenario.posts.find((p) => p.id === first);
    const likes = post?.metricsAt(new Date(NOW)).like;
    const v2 = twitterApiV2(sim);
    const lookup = await v2.tweets([first ?? '', second ?? '', '42'], { 'tweet.fields': ['public_metrics'] });
    expect(lookup.data.map((t) => t.id)).toEqual([first, second]);
    expect(lookup.data[0]?.public_metrics?.like_count).toBe(likes);
    expect(lookup.errors?.map((e) => e.value)).toEqual(['42']);
    expect((await v2.singleTweet(first ?? '')).data.id).toBe(first);

    const client = sdk(sim);
    const viaSdk = await client.tweets.findTweetsById({
      ids: [first ?? '', '42'],
      'tweet.fields': ['public_metrics'],
    });
    expect(viaSdk.data?.[0]?.public_metrics?.like_count).toBe(likes);
    expect(viaSdk.errors).toHaveLength(1);
    expect((await client.tweets.findTweetById(first ?? '')).data?.id).toBe(first);
  });

  test('usage: counts as strings, through each client', async () => {
    const usage = await twitterApiV2(sim).usage({ 'usage.fields': ['daily_project_usage'] });
    expect(usage.data.project_usage).toMatch(/^\d+$/);
    expect(Number(usage.data.project_usage)).toBeGreaterThan(0);
    // twitter-api-sdk 1.2.1 has no usage method: its own request helper does the call.
    const viaSdk = (await sdkRest({
      auth: new sdkAuth.OAuth2Bearer(TOKEN),
      base_url: origin(sim),
      endpoint: '/2/usage/tweets',
      method: 'GET',
    })) as { data: { project_cap: string } };
    expect(viaSdk.data.project_cap).toMatch(/^\d+$/);
    // xdk hands bodies back with camelCased keys.
    const xdk = new XdkClient({ baseUrl: origin(sim), bearerToken: TOKEN });
    const viaXdk = (await xdk.usage.get({ days: 2 })) as { data?: { projectUsage?: unknown } };
    expect(viaXdk.data?.projectUsage).toBe(usage.data.project_usage);
    const users = (await xdk.users.getByUsernames(['OpenData_Forum'])) as { data?: Array<{ id: string }> };
    expect(users.data?.[0]?.id).toBe(home.id);
  });
});

describe('429s surface through both clients with their reset time', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await serve({ rateLimits: { users: 1 }, monthlyPostCap: 5 });
  });
  afterAll(async () => {
    await sim.close();
  });

  test('rate limit: the 15-minute window, reset in epoch seconds', async () => {
    const v2 = twitterApiV2(sim);
    await v2.userByUsername('OpenData_Forum');
    const error = await failure(v2.userByUsername('OpenData_Forum'), ApiResponseError);
    const nowSeconds = Date.now() / 1000;
    expect(error.code).toBe(429);
    expect(error.rateLimitError).toBe(true);
    expect(error.rateLimit?.remaining).toBe(0);
    expect(error.rateLimit?.reset).toBeGreaterThan(nowSeconds);
    expect(error.rateLimit?.reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 900);

    const sdkError = await sdkFailure(() => sdk(sim).users.findUserByUsername('OpenData_Forum'));
    expect(sdkError.status).toBe(429);
    expect(sdkError.error?.title).toBe('Too Many Requests');
    expect(Number(sdkError.headers?.['x-rate-limit-reset'])).toBe(error.rateLimit?.reset);
  });

  test('usage cap: a 429 of another kind, while the window still has requests left', async () => {
    const v2 = twitterApiV2(sim);
    await v2.search('#OGP16', { max_results: 10 });
    const error = await failure(v2.search('#OGP16'), ApiResponseError);
    expect(error.code).toBe(429);
    expect(error.data).toMatchObject({ title: 'UsageCapExceeded', period: 'Monthly' });
    expect(error.rateLimit?.remaining).toBeGreaterThan(0);
    expect(error.rateLimit?.reset).toBeGreaterThan(Date.now() / 1000);

    const sdkError = await sdkFailure(async () => {
      for await (const _page of sdk(sim).tweets.tweetsRecentSearch({ query: '#OGP16' })) break;
    });
    expect(sdkError.status).toBe(429);
    expect(sdkError.error?.title).toBe('UsageCapExceeded');
    expect(Number(sdkError.headers?.['x-rate-limit-remaining'])).toBeGreaterThan(0);
    expect(sim.stats()).toMatchObject({ usageCapped: 2, postsRead: 10 });
  });
});
