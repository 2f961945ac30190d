import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { connectQueues, type DashboardQueues } from '../../dashboard/server/queue-inspection.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountRow, applyOgp16 } from '../support/campaign-fixture.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * Every route of the JSON API, fed random path segments, query strings and bodies: never a 500,
 * every error in the design's JSON shape, never a stack trace or a file path in a body.
 */
const token = 'fuzz-test-admin-token-0123456789abcdef';
const clock = new ManualClock('2016-12-08T12:00:00+01:00');
let t: TestDatabase;
let app: Dashboard;
let collection: { queues: DashboardQueues; close(): Promise<void> };

beforeAll(async () => {
  t = await createTestDatabase();
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await t.db
    .insertInto('accounts')
    .values(['alice', 'OpenData_Forum'].map((username, i) => accountRow(String(i + 1), username, seenAt)))
    .execute();
  const { campaignId } = await applyOgp16(t.db, seenAt, ['alice']);
  const query = await t.db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow();
  const posts = ['1', '2', '1'].map((author, i) => ({
    id: String(500 + i),
    author_id: author,
    created_at: new Date(`2016-12-0${7 + i}T10:00:00Z`),
    text: '#OGP16 @alice',
    lang: 'en',
    kind: 'post' as const,
    hashtags: ['ogp16'],
    mentions: ['alice'],
    like_count: i,
    repost_count: 0,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: seenAt,
    first_seen_at: seenAt,
  }));
  await t.db.insertInto('posts').values(posts).execute();
  await t.db
    .insertInto('campaign_posts')
    .values(
      posts.map((p) => ({ campaign_id: campaignId, query_id: query.id, post_id: p.id, matched_at: seenAt })),
    )
    .execute();
  collection = connectQueues(testRedisUrl, { prefix: uniqueName('bull') });
  // No Redis subscription (an event stream of a real campaign would stay open); no rate limit
  // (the fuzzer is one very busy client).
  app = createDashboard({
    db: t.db,
    clock,
    demo: false,
    log: silentLog,
    queues: collection.queues,
    adminToken: token,
    rateLimit: false,
  });
});

afterAll(async () => {
  for (const queue of Object.values(collection?.queues ?? {})) await queue.obliterate({ force: true });
  await collection?.close();
  await app?.close();
  await t?.drop();
});

/** Values that have broken parsers elsewhere: numbers at the edges, odd dates, unicode, huge text. */
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e2',
    '1e309',
    'NaN',
    'Infinity',
    '9'.repeat(400),
    'null',
    'undefined',
    '[]',
    '{}',
    'true',
    "'; drop table posts; --",
    '%00',
    '\u0000',
    '\ud800',
    '../../etc/passwd',
    '2016-12-07T00:00:00+01:00',
    '2016-12-10T00:00:00Z',
    '2016-02-30T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '+275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '2016-12-07T00:00:00+25:00',
    '2016-12-07T24:00:00Z',
    '2016-12-07T00:00:00.123456789Z',
    'posts',
    'followers',
    'follower_growth_pct',
    'watchlist',
    'hour',
    'day',
    'x'.repeat(10_000),
  ),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);

const slug = fc.oneof(fc.constant('ogp16'), fc.constant('nope'), nasty);
const username = fc.oneof(fc.constantFrom('alice', 'OpenData_Forum', '@alice', 'ALICE'), nasty);
const queryParams = fc.dictionary(
  fc.oneof(
    fc.constantFrom('metric', 'scope', 'from', 'to', 'limit', 'interval', 'top'),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(nasty, fc.array(nasty, { minLength: 2, maxLength: 3 })),
  { maxKeys: 5 },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.record({ username: fc.oneof(nasty, fc.jsonValue()) }).map((value) => JSON.stringify(value)),
  fc.record({ query: fc.oneof(nasty, fc.jsonValue()) }).map((value) => JSON.stringify(value)),
  nasty,
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constant(`Bearer ${token}`),
  nasty.map((value) => `Bearer ${value}`),
  nasty,
);

/** Percent-encoded UTF-8, also for lone surrogates (encodeURIComponent throws on those). */
const segment = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
/** The route templates of /api/v1, with their methods; exports are mounted by another module. */
const route = fc.oneof(
  fc.constant({ method: 'GET', path: () => '/campaigns' }),
  ...['leaderboard', 'rank-history', 'overview', 'coverage', 'events'].map((name) =>
    slug.map((s) => ({ method: 'GET', path: () => `/campaigns/${segment(s)}/${name}` })),
  ),
  fc.tuple(slug, username).map(([s, u]) => ({
    method: 'GET',
    path: () => `/campaigns/${segment(s)}/accounts/${segment(u)}/series`,
  })),
  fc.tuple(slug, nasty, fc.constantFrom('csv', 'xlsx', 'json', 'png', 'exe')).map(([s, what, format]) => ({
    method: 'GET',
    path: () => `/campaigns/${segment(s)}/export/${segment(what)}.${format}`,
  })),
  ...['watchlist', 'queries', 'backfill', 'pause', 'resume'].map((name) =>
    slug.map((s) => ({ method: 'POST', path: () => `/campaigns/${segment(s)}/${name}` })),
  ),
  fc
    .tuple(slug, username)
    .map(([s, u]) => ({ method: 'DELETE', path: () => `/campaigns/${segment(s)}/watchlist/${segment(u)}` })),
  fc
    .tuple(slug, fc.oneof(fc.nat().map(String), nasty))
    .map(([s, id]) => ({ method: 'DELETE', path: () => `/campaigns/${segment(s)}/queries/${segment(id)}` })),
  // Raw paths: broken percent-encoding, dots, slashes.
  fc
    .constantFrom('%', '%E0%A4%A', '%FF', '..', '%2e%2e', '%2F', 'a%00b')
    .map((raw) => ({ method: 'GET', path: () => `/campaigns/${raw}/leaderboard` })),
);

const stackTrace = /\n\s+at |\bat \S+ \(|\w+\.[cm]?[jt]sx?:\d+|\/work\/|node_modules|file:\/\//;

describe('the JSON API under random input', () => {
  test('never a 500, errors always {error:{code,message}}, never a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(route, queryParams, body, authorization, async (target, params, payload, auth) => {
        const search = new URLSearchParams();
        for (const [name, value] of Object.entries(params)) {
          for (const one of Array.isArray(value) ? value : [value]) search.append(name, one);
        }
        const headers: Record<string, string> = {};
        // What can travel in a header at all: Latin-1, no control characters.
        if (auth !== undefined) headers.Authorization = auth.replace(/[^\x20-\x7e\xa0-\xff]/g, '');
        if (payload !== undefined) headers['Content-Type'] = 'application/json';
        const url = `/api/v1${target.path()}${search.size > 0 ? `?${search}` : ''}`;
        const response = await app.request(url, {
          method: target.method,
          headers,
          ...(payload === undefined || target.method === 'GET' ? {} : { body: payload }),
        });
        const text = await response.text();
        const context = `${target.method} ${url} → ${response.status} ${text.slice(0, 300)}`;
        expect(response.status, context).not.toBe(500);
        expect(response.status, context).toBeLessThan(600);
        expect(text, context).not.toMatch(stackTrace);
        if (response.status >= 300) {
          const json = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          expect(Object.keys(json), context).toEqual(['error']);
          expect(typeof json.error?.code, context).toBe('string');
          expect(typeof json.error?.message, context).toBe('string');
          expect(response.headers.get('content-type'), context).toMatch(/^application\/json/);
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
