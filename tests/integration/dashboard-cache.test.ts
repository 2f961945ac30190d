import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RankedLeaderboardJson } from '../../dashboard/api-contract.ts';
import { createDashboard, type Dashboard, type DashboardDeps } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import { accountRow, applyOgp16 } from '../support/campaign-fixture.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * The leaderboard cache (dashboard/server/leaderboard-cache.ts): a board is read once, then served until
 * a write is announced on Redis; without Redis, for a short while only. Writes here go straight to
 * the database, as a worker's would, and are announced (or not) by hand.
 */
const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const token = 'cache-test-admin-token-0123456789';
let t: TestDatabase;
let campaignId: number;
let queryId: number;
let publisher: Redis;
const dashboards: Dashboard[] = [];
let nextPostId = 1000;
// This file's own update channel (src/jobs/queue-names.ts).
const prefix = uniqueName('bull');

beforeAll(async () => {
  t = await createTestDatabase();
  // Other test files publish on the same channel for their campaign n°1: this one has its own id.
  await sql`select setval('campaigns_id_seq', ${randomInt(100_000, 900_000)})`.execute(t.db);
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await t.db
    .insertInto('accounts')
    .values(
      ['alice', 'bob', 'OpenData_Forum'].map((username, i) => accountRow(String(i + 1), username, seenAt)),
    )
    .execute();
  campaignId = (await applyOgp16(t.db, seenAt)).campaignId;
  queryId = (await t.db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow()).id;
  await addPosts('1', 2);
  publisher = new Redis(testRedisUrl);
});

afterAll(async () => {
  for (const dashboard of dashboards) await dashboard.close();
  publisher?.disconnect();
  await t?.drop();
});

function dashboard(deps: Partial<DashboardDeps> = {}): Dashboard {
  const app = createDashboard({ db: t.db, clock, demo: false, log: silentLog, prefix, ...deps });
  dashboards.push(app);
  return app;
}

/** Posts by `authorId` in the window, written behind the dashboard's back. */
async function addPosts(authorId: string, count: number) {
  const at = new Date('2016-12-08T09:00:00Z');
  const posts = Array.from({ length: count }, () => ({
    id: String(nextPostId++),
    author_id: authorId,
    created_at: at,
    text: '#OGP16',
    lang: 'en',
    kind: 'post' as const,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: 0,
    repost_count: 0,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: at,
    first_seen_at: at,
  }));
  await t.db.insertInto('posts').values(posts).execute();
  await t.db
    .insertInto('campaign_posts')
    .values(posts.map((p) => ({ campaign_id: campaignId, query_id: queryId, post_id: p.id, matched_at: at })))
    .execute();
}

async function board(app: Dashboard, query = 'metric=posts') {
  const response = await app.request(`/api/v1/campaigns/ogp16/leaderboard?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as RankedLeaderboardJson;
}

const postsOf = (json: RankedLeaderboardJson, username: string) =>
  json.rows.find((row) => row.username === username)?.value ?? 0;

/**
 * A dashboard whose boards only an announcement can refresh (long lifetimes), and its event stream
 * once it said hello: the subscription is up, so boards read from then on are kept (one read before
 * it is not trusted: an announcement could have been missed).
 */
async function announcedDashboard() {
  const app = dashboard({
    redisUrl: testRedisUrl,
    leaderboardCache: { ttlMs: 600_000, shortTtlMs: 600_000 },
  });
  const stream = await app.request('/api/v1/campaigns/ogp16/events');
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  expect(decoder.decode((await reader.read()).value)).toContain('event: hello');
  return { app, reader, decoder };
}

describe('with Redis: kept until a write is announced', () => {
  test('a board is served from the cache, then read again after "campaign updated"', async () => {
    const { app, reader } = await announcedDashboard();
    const first = await board(app);

    const bobBefore = postsOf(first, 'bob');
    await addPosts('2', 3);
    clock.advance(1000);
    const cached = await board(app);
    expect(cached).toEqual(first);
    expect(postsOf(cached, 'bob')).toBe(bobBefore);

    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));
    const fresh = await eventually(
      async () => {
        const json = await board(app);
        return postsOf(json, 'bob') === bobBefore + 3 ? json : undefined;
      },
      { what: 'the board after the announcement', timeoutMs: 10_000 },
    );
    expect(fresh.asOf).toBe(clock.now().toISOString());
    await reader.cancel();
  });

  test('after an announced write, the board before serves until the new one is read; then the event', async () => {
    const { app, reader, decoder } = await announcedDashboard();
    const before = await board(app);
    const bobBefore = postsOf(before, 'bob');

    await addPosts('2', 2);
    // The totals are locked: the board read again after the announcement waits.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const lock = t.db.transaction().execute(async (trx) => {
      await sql`lock table rank_totals in access exclusive mode`.execute(trx);
      locked();
      await held;
    });
    await lockTaken;
    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Meanwhile: the board before, at once, and no update event yet.
    expect(await board(app)).toEqual(before);
    const pending = reader.read();
    const early = await Promise.race([
      pending,
      new Promise((resolve) => setTimeout(() => resolve('none'), 200)),
    ]);
    expect(early).toBe('none');

    release();
    await lock;
    let received = decoder.decode((await pending).value);
    while (!received.includes('event: update')) received += decoder.decode((await reader.read()).value);
    // The event went out once the board was read again: the first read after it has the posts.
    expect(postsOf(await board(app), 'bob')).toBe(bobBefore + 2);
    await reader.cancel();
  });
});

describe('without Redis: a short lifetime', () => {
  test('an unannounced write shows once the short lifetime is over', async () => {
    const app = dashboard({ leaderboardCache: { shortTtlMs: 300 } });
    const first = await board(app);
    await addPosts('1', 1);
    expect(postsOf(await board(app), 'alice')).toBe(postsOf(first, 'alice'));
    await eventually(
      async () => (postsOf(await board(app), 'alice') === postsOf(first, 'alice') + 1 ? true : undefined),
      { what: 'the board after its lifetime', timeoutMs: 5000 },
    );
  });

  test('the lifetime also runs on the application clock (movement shifts with time)', async () => {
    const app = dashboard({ leaderboardCache: { shortTtlMs: 600_000 } });
    const first = await board(app);
    await addPosts('1', 1);
    clock.advance(599_000);
    expect(await board(app)).toEqual(first);
    clock.advance(1000);
    expect(postsOf(await board(app), 'alice')).toBe(postsOf(first, 'alice') + 1);
    // A clock set back makes a board stale too.
    const now = await board(app);
    clock.advance(-5000);
    await addPosts('1', 1);
    expect(postsOf(await board(app), 'alice')).toBe(postsOf(now, 'alice') + 1);
  });

  test('at most maxEntries boards, the least recently used out first', async () => {
    const app = dashboard({ leaderboardCache: { shortTtlMs: 600_000, maxEntries: 2 } });
    const a = await board(app, 'metric=posts&limit=10');
    const b = await board(app, 'metric=posts&limit=20');
    await board(app, 'metric=posts&limit=30'); // evicts limit=10
    await addPosts('1', 1);
    expect(await board(app, 'metric=posts&limit=20')).toEqual(b);
    expect(postsOf(await board(app, 'metric=posts&limit=10'), 'alice')).toBe(postsOf(a, 'alice') + 1);
  });

  test('admin changes refresh the boards of this dashboard at once', async () => {
    const app = dashboard({ adminToken: token, leaderboardCache: { shortTtlMs: 600_000 } });
    const before = await board(app, 'metric=posts&scope=watchlist');
    expect(before.rows.map((row) => row.username)).not.toContain('bob');
    const added = await app.request('/api/v1/campaigns/ogp16/watchlist', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bob' }),
    });
    expect(added.status).toBe(201);
    expect((await board(app, 'metric=posts&scope=watchlist')).rows.map((row) => row.username)).toContain(
      'bob',
    );
  });

  test('the live page and the API share the boards', async () => {
    const app = dashboard({ leaderboardCache: { shortTtlMs: 600_000 } });
    const api = await board(app, 'metric=posts&scope=all&limit=50');
    clock.advance(1000);
    const html = await (await app.request('/campaigns/ogp16')).text();
    const embedded = /<script type="application\/json" id="initial-data">(.*?)<\/script>/s.exec(html)?.[1];
    expect(JSON.parse(embedded ?? '{}').leaderboard).toEqual(api);
  });
});
