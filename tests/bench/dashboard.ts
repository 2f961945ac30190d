import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Database } from '../../src/db/schema.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import {
  createTestDatabase,
  silentLog,
  testDatabaseUrl,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';
import { median } from './stats.ts';

/**
 * The live leaderboard page as a browser gets it: its weight (HTML + JS + CSS, compressed as served
 * to Chromium, which accepts br and gzip) against the 300 KB budget, the first paint with data in
 * Chromium on localhost (the leaderboard is in the HTML: first contentful paint is the first paint
 * with data) against issue 17's 500 ms, beside its floor (a static copy of the same page with the
 * same headers, painted in turn with it), when the charts are drawn, and how long a worker's write takes
 * to reach the screen through Redis and Server-Sent Events. Reported, never asserted. The API is
 * read once before the page views, so they find the leaderboard in the dashboard's cache, as every
 * visitor does between two writes; a write has it read again before the update event goes out, so
 * "write → on screen" includes a full read.
 *
 * BENCH_DASHBOARD_POSTS sets the campaign's size (default 100,000 posts by 10,000 accounts).
 */
const chartsTimeoutMs = 20_000;

export async function benchDashboard(): Promise<Array<Record<string, string | number>>> {
  const posts = Number(process.env.BENCH_DASHBOARD_POSTS ?? 100_000);
  const accounts = Math.max(100, Math.round(posts / 10));
  console.log(
    `dashboard: live page of a campaign of ${posts.toLocaleString('en')} posts by ${accounts.toLocaleString('en')} accounts`,
  );
  const t = await createTestDatabase();
  const clock = new ManualClock('2016-12-08T18:00:00+01:00');
  const campaignId = await seed(t.db, posts, accounts);
  // The dashboard's own pool, whose statements give up after a while: a slow read of the ranking
  // API must not outlive the bench.
  const dashboardDb = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: testDatabaseUrl,
        max: 5,
        options: `-c search_path=${t.schema} -c statement_timeout=${chartsTimeoutMs}`,
      }),
    }),
  });
  const prefix = uniqueName('bull');
  const app = createDashboard({
    db: dashboardDb,
    clock,
    demo: false,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix,
  });
  const server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const publisher = new Redis(testRedisUrl);
  try {
    const url = `${server.url}/campaigns/ogp16`;
    const weight = await pageWeight(server.url, url);
    const endpoints = await apiTimings(server.url);

    const copy = await staticCopy(url);
    const paints: number[] = [];
    const copyPaints: number[] = [];
    const responses: number[] = [];
    const charts: number[] = [];
    const latencies: number[] = [];
    for (let run = 0; run < 7; run++) {
      // The floor, in turn with the page: the same HTML with the same headers, handed to Chromium
      // at once by its own router (no server, no database); the assets still come from the server.
      copyPaints.push(
        await firstPaint(browser, url, (page) =>
          page.route(url, (route) => route.fulfill({ status: 200, headers: copy.headers, body: copy.body })),
        ),
      );
      // A new context each time: a cold cache, as on the first visit.
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const page = await context.newPage();
      await page.goto(url);
      const timing = await paintTiming(page);
      paints.push(timing.paint);
      responses.push(timing.response);
      // The charts wait for the ranking API's series (bounded: a slow read is reported as such).
      // Waiting for them also keeps one page's reads from slowing the next page's first paint.
      charts.push(
        await page
          .waitForFunction(() => performance.getEntriesByName('dashboard:charts').length > 0, undefined, {
            timeout: chartsTimeoutMs + 5000,
          })
          .then(() =>
            page.evaluate(() => performance.getEntriesByName('dashboard:charts')[0]?.startTime ?? 0),
          )
          .catch(() => Number.POSITIVE_INFINITY),
      );
      if (run > 0) {
        // A write moves a row: the time until the page shows it.
        await page.waitForSelector('#live-status[data-state="live"]');
        const before = await page.locator('#updated').textContent();
        clock.advance(1000);
        const started = performance.now();
        await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));
        await page.waitForFunction(
          (text) => document.querySelector('#updated')?.textContent !== text,
          before,
        );
        latencies.push(performance.now() - started);
      }
      await context.close();
    }
    const ms = (values: number[]) => {
      const show = (value: number) =>
        Number.isFinite(value) ? `${Math.round(value)} ms` : `> ${chartsTimeoutMs} ms`;
      return `${show(median(values))} (max ${show(Math.max(...values))})`;
    };
    return [
      ...weight,
      {
        figure: 'first paint with data (Chromium, localhost, median of 7)',
        value: ms(paints),
        target: '< 500 ms',
      },
      {
        figure: '  of which the HTML, rendered by the server with its data',
        value: ms(responses),
        target: '',
      },
      {
        figure: '  floor: a static copy of the page, same headers (median of 7)',
        value: ms(copyPaints),
        target: '',
      },
      {
        figure: '  page / floor',
        value: `${(median(paints) / median(copyPaints)).toFixed(2)}×`,
        target: '',
      },
      {
        figure: 'write → on screen (Redis, SSE, API re-read; median of 6)',
        value: ms(latencies),
        target: '< 1,000 ms',
      },
      { figure: 'all four charts drawn (median of 7)', value: ms(charts), target: '' },
      ...endpoints,
    ];
  } finally {
    publisher.disconnect();
    await browser.close();
    await server.close();
    await dashboardDb.destroy();
    await t.drop();
  }
}

async function pageWeight(base: string, url: string): Promise<Array<Record<string, string | number>>> {
  const headers = { 'Accept-Encoding': 'br, gzip' };
  const html = await fetch(url, { headers });
  const page = await html.text();
  const sized = async (response: Response, body?: string) => ({
    encoding: response.headers.get('content-encoding') ?? 'identity',
    // fetch decodes: the bytes on the wire are the Content-Length, else measured by re-encoding.
    wire: Number(response.headers.get('content-length') ?? 0),
    raw: body === undefined ? (await response.arrayBuffer()).byteLength : Buffer.byteLength(body),
  });
  const htmlSize = await sized(html, page);
  if (!htmlSize.wire) htmlSize.wire = gzipSize(page);
  const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
  const rows = [{ file: 'HTML', ...htmlSize }];
  for (const path of assets) {
    const response = await fetch(`${base}${path}`, { headers });
    rows.push({ file: path.endsWith('.js') ? 'JS (Chart.js inside)' : 'CSS', ...(await sized(response)) });
  }
  const total = rows.reduce((sum, row) => sum + row.wire, 0);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    ...rows.map((row) => ({
      figure: `page weight: ${row.file}`,
      value: `${kb(row.wire)} ${row.encoding} (${kb(row.raw)} raw)`,
      target: '',
    })),
    { figure: 'page weight: HTML + JS + CSS, compressed', value: kb(total), target: '< 300 KB' },
  ];
}

/** One read of each API endpoint the live page uses, as the page calls them. */
async function apiTimings(base: string): Promise<Array<Record<string, string | number>>> {
  const api = `${base}/api/v1/campaigns/ogp16`;
  const reads = [
    ['leaderboard, first read', `${api}/leaderboard?metric=posts&scope=all&limit=50`],
    // Until the next write, every visitor gets the board from the dashboard's cache.
    ['leaderboard, from the cache', `${api}/leaderboard?metric=posts&scope=all&limit=50`],
    ['followers per hour', `${api}/accounts/account_7/series?metric=followers&interval=hour`],
    ['engagement per day', `${api}/accounts/account_7/series?metric=engagement&interval=day`],
    ['overview (posts per hour per query)', `${api}/overview`],
    ['rank history', `${api}/rank-history?metric=posts&interval=hour`],
  ];
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, url] of reads) {
    const started = performance.now();
    const response = await fetch(url as string);
    await response.arrayBuffer();
    const elapsed = Math.round(performance.now() - started);
    rows.push({
      figure: `API: ${name}`,
      value: response.ok ? `${elapsed} ms` : `HTTP ${response.status} after ${elapsed} ms`,
      target: '',
    });
  }
  return rows;
}

/**
 * The page as served once: its HTML and its response headers. A navigation whose response carries
 * `Cross-Origin-Opener-Policy: same-origin` (server/app.ts sets it) moves to a new renderer
 * process, as any arrival from another site does: starting that process is most of a first
 * paint on this machine, so the floor must pay it too.
 */
async function staticCopy(url: string): Promise<{ body: string; headers: Record<string, string> }> {
  const response = await fetch(url);
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // The body is handed over decoded, whole.
    if (
      !['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)
    )
      headers[name] = value;
  });
  return { body, headers };
}

/** First contentful paint of `url` in a new context, after `prepare` (a route, say) on its page. */
async function firstPaint(
  browser: Browser,
  url: string,
  prepare: (page: Page) => Promise<unknown>,
): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const page = await context.newPage();
    await prepare(page);
    await page.goto(url);
    return (await paintTiming(page)).paint;
  } finally {
    await context.close();
  }
}

/** When the page first painted content, and when its HTML had arrived (ms since navigation start). */
async function paintTiming(page: Page): Promise<{ paint: number; response: number }> {
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  return page.evaluate(() => ({
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0,
    response:
      (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)
        ?.responseEnd ?? 0,
  }));
}

/** The page is compressed as it streams (no Content-Length): its size, gzipped the same way. */
function gzipSize(text: string): number {
  return gzipSync(text).byteLength;
}

/** A campaign of `posts` posts by `accounts` accounts over its three days, written by SQL in bulk. */
async function seed(
  db: Awaited<ReturnType<typeof createTestDatabase>>['db'],
  posts: number,
  accounts: number,
) {
  const file = parseCampaignFile(
    `slug: ogp16
name: Bench campaign
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: account_7
queries: ["#OGP16", "#OGPSummit"]
watchlist: [account_1, account_2, account_3]
`,
    'bench.yaml',
  );
  await sql`
    insert into accounts (id, username, name, profile_image_url, first_seen_at, last_seen_at)
    select n, 'account_' || n, 'Account ' || n, null, '2016-12-07T00:00:00Z', '2016-12-07T00:00:00Z'
    from generate_series(1, ${accounts}::int) n`.execute(db);
  const { campaignId } = await applyCampaign(db, file, new Date('2016-12-07T00:00:00Z'));
  // Skewed authorship: a few accounts post a lot, most a little.
  await sql`
    insert into posts (id, author_id, created_at, text, kind, hashtags, mentions, like_count, repost_count,
                       reply_count, quote_count, metrics_observed_at, first_seen_at)
    select n, 1 + floor(${accounts}::int * power(random(), 3))::int,
           timestamptz '2016-12-06T23:00:00Z' + (random() * interval '60 hours'),
           'post ' || n || ' #OGP16', case when n % 5 = 0 then 'repost' else 'post' end, '{ogp16}', '{}',
           floor(random() * 20)::int, floor(random() * 5)::int, floor(random() * 3)::int, 0,
           '2016-12-08T17:00:00Z', '2016-12-08T17:00:00Z'
    from generate_series(1, ${posts}::int) n`.execute(db);
  await sql`
    insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
    select ${campaignId}::int, (select min(id) from campaign_queries where campaign_id = ${campaignId}::int), id, created_at
    from posts`.execute(db);
  await sql`
    insert into account_snapshots (account_id, observed_at, followers_count, following_count, post_count, listed_count)
    select a, timestamptz '2016-12-07T00:00:00Z' + h * interval '1 hour', 200 + a * 3 + h * 4, 10, 100, 1
    from generate_series(1, 10) a, generate_series(0, 41) h`.execute(db);
  await sql`
    insert into collection_runs (campaign_id, kind, target, started_at, finished_at, requests, outcome)
    values (${campaignId}::int, 'poll', '#OGP16', '2016-12-08T16:58:00Z', '2016-12-08T16:58:02Z', 3, 'ok')`.execute(
    db,
  );
  return campaignId;
}
