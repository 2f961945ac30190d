import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AccountPageData, CampaignPageData } from '../../dashboard/api-contract.ts';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { movementOf } from '../../dashboard/views/present.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { metrics as rankedMetrics } from '../../src/rank/leaderboard.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const img = '<img src=x onerror=alert(1)>';
const script = '<script>alert(1)</script>';
let t: TestDatabase;
let db: Db;
let app: Dashboard;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  const seenAt = new Date('2016-12-07T08:00:00Z');
  const account = (id: string, username: string, name: string, description: string | null = null) => ({
    id,
    username,
    name,
    description,
    profile_image_url: null,
    verified: false,
    created_at: null,
    first_seen_at: seenAt,
    last_seen_at: seenAt,
  });
  await db
    .insertInto('accounts')
    .values([
      account('1', 'mallory', script, img),
      account('2', 'alice', 'Alice'),
      account('100', 'OpenData_Forum', 'Open Data Forum'),
    ])
    .execute();
  const file = parseCampaignFile(
    `slug: ogp16
name: Local Government Open Data Forum
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
watchlist: [alice, mallory]
budget: { monthly_usd: 50 }
`,
    'ogp16.yaml',
  );
  const { campaignId } = await applyCampaign(db, file, seenAt);
  const query = await db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow();
  const post = (
    id: string,
    authorId: string,
    text: string,
    likes: number,
    kind: 'post' | 'repost' = 'post',
  ) => ({
    id,
    author_id: authorId,
    created_at: '2016-12-08T09:00:00Z',
    text,
    lang: 'en',
    kind,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: likes,
    repost_count: 1,
    reply_count: 2,
    quote_count: 0,
    impression_count: 1000,
    metrics_observed_at: '2016-12-08T10:00:00Z',
    first_seen_at: '2016-12-08T09:00:00Z',
  });
  const posts = [
    post('10', '1', `${img} #OGP16`, 50),
    post('11', '1', `${script}\nsecond line`, 7),
    post('12', '1', 'RT @alice: hi', 0, 'repost'),
    post('20', '2', 'hello #OGP16', 3),
    post('30', '100', 'bonjour #OGP16', 1),
  ];
  await db.insertInto('posts').values(posts).execute();
  await db
    .insertInto('campaign_posts')
    .values(
      posts.map((p) => ({ campaign_id: campaignId, query_id: query.id, post_id: p.id, matched_at: seenAt })),
    )
    .execute();
  await db
    .insertInto('account_snapshots')
    .values({
      account_id: '1',
      observed_at: '2016-12-08T10:00:00Z',
      followers_count: 12345,
      following_count: 10,
      post_count: 999,
      listed_count: 3,
    })
    .execute();
  await db
    .insertInto('collection_runs')
    .values([
      {
        campaign_id: campaignId,
        kind: 'poll',
        target: '#OGP16',
        started_at: '2016-12-08T10:59:00Z',
        finished_at: '2016-12-08T10:59:02Z',
        requests: 3,
        posts_new: 5,
        posts_updated: 1,
        cost_usd: '1.25',
        outcome: 'ok',
      },
      {
        campaign_id: campaignId,
        kind: 'snapshot',
        target: 'watchlist',
        started_at: '2016-12-08T10:58:00Z',
        finished_at: '2016-12-08T10:58:01Z',
        requests: 1,
        outcome: 'failed',
        error: `XRequestError: ${script}`,
      },
    ])
    .execute();
  app = createDashboard({ db, clock, demo: false });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function html(path: string, init?: RequestInit): Promise<string> {
  const response = await app.request(path, init);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  return response.text();
}

function embedded<T>(page: string, id: string): T {
  const json = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(page)?.[1];
  if (!json) throw new Error(`no ${id} in the page`);
  return JSON.parse(json) as T;
}

/** User text never becomes markup: no tag of it survives, its escaped form is there. */
function expectEscaped(page: string) {
  expect(page).not.toContain(img);
  expect(page).not.toContain(script);
  expect(page).not.toMatch(/<img src=x/i);
}

describe('the live page', () => {
  test('links rows to account pages, shows the last collection and the switches', async () => {
    const page = await html('/campaigns/ogp16');
    expect(page).toContain('href="/campaigns/ogp16/accounts/x/mallory?lang=en"');
    expect(page).toContain('<a href="/campaigns/ogp16/report?lang=en">Report</a>');
    expect(page).toContain('last collected at 11:59:02');
    expect(page).toMatch(
      /<a class="switch" href="\?metric=posts&amp;scope=all&amp;lang=en" data-metric="posts" aria-current="true">Posts<\/a>/,
    );
    expect(page).toContain('data-scope="watchlist"');
    const data = embedded<CampaignPageData>(page, 'initial-data');
    expect(data).toMatchObject({
      slug: 'ogp16',
      metric: 'posts',
      scope: 'all',
      metricAvailable: true,
      eventsUrl: '/api/v1/campaigns/ogp16/events',
      apiBase: '/api/v1/campaigns/ogp16',
      peers: ['alice', 'mallory'],
      lastCollectedAt: '2016-12-08T10:59:02.000Z',
    });
    expectEscaped(page);
  });

  test('renders the chosen scope and metric, and says when a metric is not ranked yet', async () => {
    // The page embeds what the API answers for the same scope.
    const watchlist = embedded<CampaignPageData>(
      await html('/campaigns/ogp16?scope=watchlist'),
      'initial-data',
    );
    const api = (await (await app.request('/api/v1/campaigns/ogp16/leaderboard?scope=watchlist')).json()) as {
      rows: Array<{ username: string }>;
    };
    expect(watchlist.scope).toBe('watchlist');
    expect(watchlist.leaderboard.rows.map((r) => r.username)).toEqual(api.rows.map((r) => r.username));
    expect(api.rows.map((r) => r.username)).toContain('mallory');
    const missing = ['engagement', 'follower_growth'].find(
      (metric) => !(rankedMetrics as readonly string[]).includes(metric),
    );
    if (missing) {
      const page = await html(`/campaigns/ogp16?metric=${missing}&lang=fr`);
      expect(page).toContain('n’est pas encore disponible');
      expect(embedded<CampaignPageData>(page, 'initial-data')).toMatchObject({
        metric: missing,
        metricAvailable: false,
      });
    }
    const unknown = embedded<CampaignPageData>(
      await html('/campaigns/ogp16?metric=likes&scope=x'),
      'initial-data',
    );
    expect(unknown).toMatchObject({ metric: 'posts', scope: 'all' });
  });

  test('is gzip-compressed for browsers; the bundle is served pre-compressed', async () => {
    const response = await app.request('/campaigns/ogp16', {
      headers: { 'Accept-Encoding': 'gzip, deflate, br' },
    });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const page = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
    expect(page).toContain('<html lang="en">');
    const script = /<script type="module" src="([^"]+)"/.exec(page)?.[1] ?? '';
    const br = await app.request(script, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    const gz = await app.request(script, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8')).toMatch(/Chart\.js v4/);
  });
});

describe('the account page', () => {
  test('shows the figures and the top posts, as text', async () => {
    const page = await html('/campaigns/ogp16/accounts/MALLORY');
    expect(page).toContain('12,345');
    expect(page).toContain('posts, replies and quotes');
    // Engagement: (50+1+2) + (7+1+2); the repost does not count.
    expect(page).toMatch(/<dd>63<\/dd>/);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; #OGP16');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\nsecond line');
    expect(page.indexOf('&lt;img src=x')).toBeLessThan(
      page.indexOf('&lt;script&gt;alert(1)&lt;/script&gt;\nsecond'),
    );
    expect(page).toContain('href="https://x.com/mallory/status/10"');
    expect(page).not.toContain('RT @alice');
    expectEscaped(page);
    expect(embedded<AccountPageData>(page, 'account-data')).toMatchObject({
      username: 'mallory',
      slug: 'ogp16',
    });
  });

  test('in French', async () => {
    const page = await html('/campaigns/ogp16/accounts/mallory?lang=fr');
    expect(page).toMatch(/12[\u202f\u00a0]345/);
    expect(page).toContain('Publications les plus engageantes');
  });

  test('the same page under its network: /accounts/x/:handle', async () => {
    const page = await html('/campaigns/ogp16/accounts/x/@MALLORY');
    expect(page).toContain('12,345');
    expect(embedded<AccountPageData>(page, 'account-data')).toMatchObject({
      network: 'x',
      username: 'mallory',
    });
    // The handle names an account on one network only.
    expect((await app.request('/campaigns/ogp16/accounts/bluesky/mallory.bsky.social')).status).toBe(404);
  });

  test('400 naming the parameter for an unknown network or a handle not of its form', async () => {
    for (const [path, parameter] of [
      ['/campaigns/ogp16/accounts/myspace/mallory', 'network'],
      ['/campaigns/ogp16/accounts/bluesky/mallory', 'handle'],
      ['/campaigns/ogp16/accounts/mastodon/mallory', 'handle'],
    ] as const) {
      const response = await app.request(path);
      expect(response.status, path).toBe(400);
      const text = await response.text();
      expect(text).toContain(`${parameter}:`);
      expectEscaped(text);
    }
  });

  test('404 for an unknown or malformed username', async () => {
    for (const path of [
      '/campaigns/ogp16/accounts/nobody',
      '/campaigns/ogp16/accounts/bad%3Cname',
      '/campaigns/x/accounts/alice',
    ]) {
      const response = await app.request(path);
      expect(response.status).toBe(404);
      expectEscaped(await response.text());
    }
  });
});

describe('the operations page', () => {
  test('lists the runs with their errors as text, the usage, and the admin forms', async () => {
    const page = await html('/ops');
    expect(page).toContain('Last collection runs');
    expect(page).toContain('#OGP16');
    expect(page).toContain('XRequestError: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('4 requests today (UTC)');
    expect(page).toContain('$1.25 spent of a $50.00 monthly budget (UTC month)');
    expect(page).not.toContain('No budget is set');
    expect(await html('/ops?lang=fr')).toMatch(/1,25\s\$US dépensés sur un budget mensuel de 50,00\s\$US/);
    expect(page).toContain('data-url="/api/v1/campaigns/ogp16/pause"');
    expect(page).toContain('@mallory');
    // No queues in this dashboard: no queue table, no board link.
    expect(page).not.toContain('/admin/queues');
    expectEscaped(page);
  });

  test('the campaign list escapes too', async () => {
    expectEscaped(await html('/'));
  });
});

describe('movement', () => {
  test.each([
    [3, 5, 'up', '▲2', 'up 2 since an hour ago'],
    [5, 3, 'down', '▼2', 'down 2 since an hour ago'],
    [4, 4, 'same', '=', 'same rank as an hour ago'],
    [4, null, 'new', 'new', 'not ranked an hour ago'],
  ] as const)('rank %d, an hour ago %s: %s', (rank, before, kind, symbol, label) => {
    expect(movementOf('en', rank, before)).toEqual({ kind, symbol, label });
  });

  test('nothing while the API does not send it', () => {
    expect(movementOf('en', 3, undefined)).toBeNull();
  });
});
