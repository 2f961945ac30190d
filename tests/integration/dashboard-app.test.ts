import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LeaderboardJson, PageData, SeriesJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { campaignFile, seedDashboardCampaign, xss } from '../support/dashboard-app-seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
let testDb: TestDatabase;
let db: Db;
let app: ReturnType<typeof createDashboard>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  await seedDashboardCampaign(db, clock);
  // Some tests here write behind the workers' back (nothing announces the write): no cached boards.
  app = createDashboard({ db, clock, demo: false, leaderboardCache: { shortTtlMs: 0 } });
});

afterAll(async () => testDb.drop());

async function getJson<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await app.request(path, init);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as T };
}

async function getPage(path: string, init?: RequestInit): Promise<string> {
  const response = await app.request(path, init);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  return response.text();
}

function embeddedData(html: string): PageData {
  const json = /<script type="application\/json" id="initial-data">(.*?)<\/script>/s.exec(html)?.[1];
  if (!json) throw new Error('no initial data in the page');
  return JSON.parse(json) as PageData;
}

describe('JSON API', () => {
  test('lists campaigns', async () => {
    const { status, body } = await getJson<{ campaigns: unknown[] }>('/api/v1/campaigns');
    expect(status).toBe(200);
    expect(body.campaigns).toEqual([
      {
        slug: 'ogp16',
        name: campaignFile.name,
        timezone: 'Europe/Paris',
        window: { start: '2016-12-06T23:00:00.000Z', end: '2016-12-09T23:00:00.000Z' },
        home: 'OpenData_Forum',
      },
    ]);
  });

  test('ranks with shared ranks on ties, reposts and posts outside the window left out', async () => {
    const { status, body } = await getJson<LeaderboardJson>('/api/v1/campaigns/ogp16/leaderboard');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      campaign: 'ogp16',
      metric: 'posts',
      scope: 'all',
      from: '2016-12-06T23:00:00.000Z',
      to: '2016-12-09T23:00:00.000Z',
      asOf: '2016-12-08T11:00:00.000Z',
      total: 4,
    });
    expect(body.rows.map((r) => [r.rank, r.username, r.value, r.isHome])).toEqual([
      [1, 'alice', 5, false],
      [2, 'bob', 4, false],
      [2, 'carol', 4, false],
      [4, 'OpenData_Forum', 2, true],
    ]);
    // (and the movement fields of the ranking API: rankHourAgo, rankDayStart)
    expect(body.rows[0]).toMatchObject({
      rank: 1,
      accountId: '1',
      username: 'alice',
      name: 'Alice',
      profileImageUrl: 'https://pbs.twimg.com/a.jpg',
      value: 5,
      isHome: false,
    });
  });

  test('keeps the home row when it is outside the limit', async () => {
    const { body } = await getJson<LeaderboardJson>('/api/v1/campaigns/ogp16/leaderboard?limit=2');
    expect(body.rows.map((r) => r.username)).toEqual(['alice', 'bob']);
    expect(body.home).toMatchObject({ rank: 4, username: 'OpenData_Forum', value: 2, isHome: true });
  });

  test('honours scope and window', async () => {
    const watchlist = await getJson<LeaderboardJson>('/api/v1/campaigns/ogp16/leaderboard?scope=watchlist');
    expect(watchlist.body.rows.map((r) => r.username)).toEqual(['alice', 'OpenData_Forum']);
    const early = await getJson<LeaderboardJson>(
      '/api/v1/campaigns/ogp16/leaderboard?from=2016-11-30T00:00:00Z&to=2016-12-02T00:00:00Z',
    );
    expect(early.body).toMatchObject({ from: '2016-11-30T00:00:00.000Z', total: 1, home: null });
    expect(early.body.rows.map((r) => [r.rank, r.username])).toEqual([[1, 'dave']]);
  });

  test('serves the follower series per hour and per day, in the campaign timezone', async () => {
    const hourly = await getJson<SeriesJson>(
      '/api/v1/campaigns/ogp16/accounts/OpenData_Forum/series?metric=followers&interval=hour',
    );
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({ username: 'OpenData_Forum', metric: 'followers', interval: 'hour' });
    expect(hourly.body.points).toEqual([
      { at: '2016-12-08T09:00:00.000Z', value: 1100, source: 'collected' },
      { at: '2016-12-08T10:00:00.000Z', value: 1234, source: 'collected' },
    ]);
    const daily = await getJson<SeriesJson>(
      '/api/v1/campaigns/ogp16/accounts/opendata_forum/series?interval=day',
    );
    expect(daily.body.points).toEqual([{ at: '2016-12-07T23:00:00.000Z', value: 1234, source: 'collected' }]);
  });

  test.each([
    ['leaderboard?metric=likes', 'metric'],
    ['leaderboard?scope=everyone', 'scope'],
    ['leaderboard?from=yesterday', 'from'],
    ['leaderboard?to=2016-12-08', 'to'],
    ['leaderboard?from=2016-12-08T00:00:00', 'from'],
    ['leaderboard?from=2016-02-30T00:00:00Z', 'from'],
    ['leaderboard?from=2016-12-09T00:00:00Z&to=2016-12-08T00:00:00Z', 'from'],
    ['leaderboard?from=2016-12-08T00:00:00Z&to=2016-12-08T00:00:00Z', 'from'],
    ['leaderboard?from=2016-12-12T00:00:00Z', 'from'],
    ['leaderboard?limit=0', 'limit'],
    ['leaderboard?limit=501', 'limit'],
    ['leaderboard?limit=2.5', 'limit'],
    ['leaderboard?limit=ten', 'limit'],
    ['leaderboard?limit=1&limit=2', 'limit'],
    ['accounts/OpenData_Forum/series?metric=likes', 'metric'],
    ['accounts/OpenData_Forum/series?interval=week', 'interval'],
    ['accounts/OpenData_Forum/series?to=soon', 'to'],
    ['accounts/OpenData_Forum/series?from=2016-12-09T00:00:00Z&to=2016-12-08T00:00:00Z', 'from'],
    ['accounts/not-a-user/series', 'username'],
  ])('400 on %s, naming %s', async (path, parameter) => {
    const { status, body } = await getJson<{ error: { code: string; message: string } }>(
      `/api/v1/campaigns/ogp16/${path}`,
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toMatch(new RegExp(`^${parameter}: expected`));
  });

  test.each([
    '/api/v1/campaigns/nope/leaderboard',
    '/api/v1/campaigns/nope/accounts/OpenData_Forum/series',
    '/api/v1/nothing-here',
  ])('404 JSON on %s', async (path) => {
    const { status, body } = await getJson<{ error: { code: string; message: string } }>(path);
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
    expect(body.error.message).toBeTruthy();
  });

  test('a failure is a 500 without details, logged', async () => {
    const lines: string[] = [];
    const log = pino(
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    // Tables that do not exist: the query fails inside the route.
    const broken = createDashboard({
      db: db.withSchema(`missing_${randomUUID().slice(0, 8)}`),
      clock,
      demo: false,
      log,
    });
    const response = await broken.request('/api/v1/campaigns/ogp16/leaderboard');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(lines.join('')).toContain('request failed');
    const page = await broken.request('/campaigns/ogp16');
    expect(page.status).toBe(500);
    const html = await page.text();
    expect(html).toContain('Something went wrong');
    expect(html).not.toMatch(/does not exist|at .*\.ts:\d+/);
  });

  test('health', async () => {
    expect(await getJson('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('pages', () => {
  test('the campaign list links to the live page', async () => {
    const html = await getPage('/');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('href="/campaigns/ogp16?lang=en"');
    expect(html).toContain('Local Government Open Data Forum');
    expect(html).toMatch(/7\s?–\s?9 December 2016 \(Europe\/Paris\)/);
  });

  test('the live page shows the headline, the table with the home row, and embeds its data', async () => {
    const html = await getPage('/campaigns/ogp16');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('@OpenData_Forum — n°4 of 4 accounts by posts');
    expect(html).toContain('1,234 followers · +134 in the window');
    expect(html).toContain('updated at 12:00:00');
    expect(html).toMatch(/<tr class="home"><td class="num">4<\/td>/);
    expect(html).toMatch(/<img class="avatar-image" src="\/avatars\/1\?v=[0-9a-f]{8}"/);
    expect(html).not.toContain('src="https://');
    expect(html).not.toContain('src="javascript:');
    expect(html).not.toContain('simulated');

    const data = embeddedData(html);
    expect(data.leaderboard.rows.map((r) => r.rank)).toEqual([1, 2, 2, 4]);
    expect(data.series.points).toHaveLength(2);
    expect(data.leaderboardUrl).toBe('/api/v1/campaigns/ogp16/leaderboard?metric=posts&scope=all&limit=50');
    expect((await app.request(data.seriesUrl)).status).toBe(200);
  });

  test('user text is escaped in the table and in the embedded JSON', async () => {
    const html = await getPage('/campaigns/ogp16');
    expect(html).not.toContain(xss);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('\\u003cscript>alert(1)\\u003c/script>');
    expect(embeddedData(html).leaderboard.rows[2]?.name).toBe(xss);
  });

  test('French from ?lang=fr or Accept-Language, with French number formatting', async () => {
    const fr = await getPage('/campaigns/ogp16?lang=fr');
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toMatch(/1[\u202f\u00a0]234 abonnés/);
    expect(fr).toContain('n°4 sur 4 comptes par publications');
    expect(fr).toContain('href="/campaigns/ogp16?lang=en"');

    const header = await getPage('/campaigns/ogp16', {
      headers: { 'Accept-Language': 'fr-FR,fr;q=0.9,en;q=0.5' },
    });
    expect(header).toContain('<html lang="fr">');
    const forced = await getPage('/campaigns/ogp16?lang=en', { headers: { 'Accept-Language': 'fr-FR' } });
    expect(forced).toContain('1,234 followers');
    expect(forced).toContain('href="/campaigns/ogp16?lang=fr"');
  });

  test('the demo banner says the data is simulated', async () => {
    const demo = createDashboard({ db, clock, demo: true });
    const response = await demo.request('/campaigns/ogp16');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('simulated data, a replay of the 2016 OGP Global Summit');
  });

  test('the home row is pinned below the top 50', async () => {
    // 60 more accounts with 3 posts each push the home account (2 posts) to rank 64.
    const campaign = await db.selectFrom('campaigns').select('id').executeTakeFirstOrThrow();
    const query = await db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow();
    const seenAt = new Date('2016-12-08T09:00:00Z');
    const extra = Array.from({ length: 60 }, (_, i) => String(5000 + i));
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('accounts')
        .values(
          extra.map((id) => ({
            id,
            username: `peer${id}`,
            name: `Peer ${id}`,
            description: null,
            profile_image_url: null,
            verified: null,
            created_at: null,
            first_seen_at: seenAt,
            last_seen_at: seenAt,
          })),
        )
        .execute();
      const posts = extra.flatMap((author) =>
        [0, 1, 2].map((n) => ({
          id: `${author}${n}`,
          author_id: author,
          created_at: seenAt,
          text: 'hello #OGP16',
          lang: 'en',
          kind: 'post' as const,
          hashtags: ['ogp16'],
          mentions: [],
          like_count: 0,
          repost_count: 0,
          reply_count: 0,
          quote_count: 0,
          metrics_observed_at: seenAt,
          first_seen_at: seenAt,
        })),
      );
      await trx.insertInto('posts').values(posts).execute();
      await trx
        .insertInto('campaign_posts')
        .values(
          posts.map((p) => ({
            campaign_id: campaign.id,
            query_id: query.id,
            post_id: p.id,
            matched_at: seenAt,
          })),
        )
        .execute();
    });

    const html = await getPage('/campaigns/ogp16');
    expect(html).toContain('n°64 of 64 accounts by posts');
    const rows = /<tbody id="rows">(.*?)<\/tbody>/s.exec(html)?.[1] ?? '';
    expect(rows.match(/<tr/g)).toHaveLength(50);
    expect(rows).not.toContain('OpenData_Forum');
    expect(html).toMatch(
      /<tbody id="pinned" class="pinned"><tr class="home"><td class="num">64<\/td>.*@OpenData_Forum/s,
    );
  });

  test('404 pages for unknown campaigns and routes', async () => {
    for (const path of ['/campaigns/nope', '/no/such/page']) {
      const response = await app.request(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await response.text()).toContain('Page not found');
    }
  });
});

describe('assets', () => {
  test('the bundle is served once built, immutable, with Chart.js inside', async () => {
    const html = await getPage('/campaigns/ogp16');
    const script = /<script type="module" src="(\/assets\/app\.[0-9a-f]+\.js)"/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(\/assets\/app\.[0-9a-f]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();

    const js = await app.request(script ?? '');
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await js.text();
    expect(code).toMatch(/Chart\.js v4/);
    expect(code).not.toMatch(/https?:\/\/cdn/);

    const css = await app.request(style ?? '');
    expect(css.status).toBe(200);
    expect(css.headers.get('cache-control')).toContain('immutable');
    expect(await css.text()).toContain('.demo-banner');

    expect((await app.request('/assets/app.0000.js')).status).toBe(404);
  });
});

describe('serveDashboard', () => {
  test('listens on a free port and closes', async () => {
    const server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const response = await fetch(`${server.url}/healthz`);
      expect(await response.json()).toEqual({ status: 'ok' });
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
