import { randomInt } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { type DashboardServer, serveDashboard } from '../../dashboard/server/serve.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core), as the comms team
 * sees it: the demo-mode live page, its switches, French, a rank change arriving by Server-Sent
 * Events without a reload (also across a server restart), and user text shown as text everywhere.
 * Screenshots land in test-results/browser-dashboard/ for review.
 */

const shots = new URL('../../test-results/browser-dashboard/', import.meta.url).pathname;
const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const imgXss = '<img src=x onerror=alert(1)>';
const scriptXss = '<script>alert(1)</script>';
const wait = { timeout: 15_000 };
const adminToken = 'browser-test-admin-token-0123456789';

let t: TestDatabase;
let db: Db;
let campaignId: number;
let queryId: number;
let server: DashboardServer;
let port: number;
let publisher: Redis;
let browser: Browser;
let context: BrowserContext;
let nextPost = 1;
const dialogs: string[] = [];
// This file's own update channel (src/jobs/queue-names.ts).
const prefix = uniqueName('bull');

const startDashboard = async () => {
  const app = createDashboard({
    db,
    clock,
    demo: true,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix,
    adminToken,
  });
  return serveDashboard(app, { port, hostname: '127.0.0.1' });
};
const url = (path: string) => `http://127.0.0.1:${port}${path}`;

async function addPosts(authorId: string, count: number, text = 'hello #OGP16'): Promise<void> {
  const at = '2016-12-08T09:30:00Z';
  const posts = Array.from({ length: count }, () => ({
    id: String(nextPost++),
    author_id: authorId,
    created_at: at,
    text,
    lang: 'en',
    kind: 'post' as const,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: 2,
    repost_count: 1,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: at,
    first_seen_at: at,
  }));
  await db.insertInto('posts').values(posts).execute();
  await db
    .insertInto('campaign_posts')
    .values(posts.map((p) => ({ campaign_id: campaignId, query_id: queryId, post_id: p.id, matched_at: at })))
    .execute();
}

async function seed(): Promise<void> {
  const seenAt = new Date('2016-12-07T08:00:00Z');
  const people: Array<[string, string, string]> = [
    ['1', 'alice', 'Alice Martin'],
    ['2', 'bob', 'Bob Durand'],
    ['3', 'carol', scriptXss],
    ['4', 'mallory', 'Mallory'],
    ['100', 'OpenData_Forum', 'Open Data Forum'],
  ];
  await db
    .insertInto('accounts')
    .values(
      people.map(([id, username, name]) => ({
        id,
        username,
        name,
        description: imgXss,
        profile_image_url: null,
        verified: false,
        created_at: null,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .execute();
  // Other test files publish updates for their own campaign n°1 on the same channel.
  await sql`select setval('campaigns_id_seq', ${randomInt(100_000, 900_000)})`.execute(db);
  const file = parseCampaignFile(
    `slug: ogp16
name: Local Government Open Data Forum — OGP Global Summit 2016
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
watchlist: [alice, bob]
`,
    'ogp16.yaml',
  );
  campaignId = (await applyCampaign(db, file, seenAt)).campaignId;
  queryId = (await db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow()).id;
  // Posts: alice 5, bob 4, carol 3, the home account 2 (n°4 of 5), mallory 1 with hostile texts.
  await addPosts('1', 5);
  await addPosts('2', 4);
  await addPosts('3', 3);
  await addPosts('100', 2);
  await addPosts('4', 1, `${imgXss} #OGP16`);
  await addPosts('4', 1, `${scriptXss} #OGP16`);
  const snapshots = [
    ['100', '2016-12-07T10:00:00Z', 1100],
    ['100', '2016-12-07T20:00:00Z', 1180],
    ['100', '2016-12-08T09:00:00Z', 1234],
    ['1', '2016-12-07T10:00:00Z', 900],
    ['1', '2016-12-08T09:00:00Z', 1010],
    ['2', '2016-12-08T09:00:00Z', 300],
  ] as const;
  await db
    .insertInto('account_snapshots')
    .values(
      snapshots.map(([account, at, followers]) => ({
        account_id: account,
        observed_at: at,
        followers_count: followers,
        following_count: 1,
        post_count: 10,
        listed_count: 0,
      })),
    )
    .execute();
  await db
    .insertInto('collection_runs')
    .values({
      campaign_id: campaignId,
      kind: 'poll',
      target: '#OGP16',
      started_at: '2016-12-08T10:58:00Z',
      finished_at: '2016-12-08T10:58:03Z',
      requests: 2,
      posts_new: 16,
      posts_updated: 0,
      outcome: 'ok',
    })
    .execute();
}

async function openPage(path: string, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url(path));
  return page;
}

const headline = (page: Page) => page.locator('#headline').textContent();
const waitForText = (page: Page, selector: string, text: string) =>
  page.waitForFunction(
    ([sel, expected]) =>
      document.querySelector(sel as string)?.textContent?.includes(expected as string) ?? false,
    [selector, text],
    wait,
  );
/** The page marks when its charts have been drawn (dashboard/client/campaign/campaign-charts.ts). */
const chartsDrawn = (page: Page) =>
  page.waitForFunction(() => performance.getEntriesByName('dashboard:charts').length > 0, undefined, wait);
const liveStream = (page: Page) => page.waitForSelector('#live-status[data-state="live"]', wait);
const publishUpdate = () => publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));

beforeAll(async () => {
  await mkdir(shots, { recursive: true });
  t = await createTestDatabase();
  db = t.db;
  await seed();
  publisher = new Redis(testRedisUrl);
  port = 0;
  server = await startDashboard();
  port = server.port;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext({ locale: 'en-GB', acceptDownloads: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  publisher?.disconnect();
  await t?.drop();
});

describe('the live dashboard in Chromium', () => {
  let page: Page;

  test('opens the demo dashboard: the leaderboard with the home account, live', async () => {
    page = await openPage('/campaigns/ogp16');
    expect(await headline(page)).toBe('@OpenData_Forum — n°4 of 5 accounts by posts');
    expect(await page.locator('.demo-banner').textContent()).toContain('simulated data');
    const home = page.locator('#rows tr.home');
    expect(await home.locator('.username').textContent()).toBe('@OpenData_Forum');
    expect(await home.isVisible()).toBe(true);
    expect(await page.locator('#followers').textContent()).toBe('1,234 followers · +134 in the window');
    // A name that is markup shows as text (the rest of user text: below).
    expect(await page.locator('#rows .name').allTextContents()).toContain(scriptXss);
    expect(await page.locator('main script:not([type="application/json"])').count()).toBe(0);
    await liveStream(page);
    // The follower chart is drawn (home and peers), and can be saved as a PNG.
    await page.waitForSelector('button.png[data-chart="followers"]:not([disabled])', wait);
    const [download] = await Promise.all([
      page.waitForEvent('download', wait),
      page.click('button.png[data-chart="followers"]'),
    ]);
    expect(download.suggestedFilename()).toBe('ogp16-followers.png');
    const png = await readFile((await download.path()) as string);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.screenshot({ path: `${shots}live-en-1080p.png` });
  });

  test('the rows the browser draws are the rows the server rendered', async () => {
    // One component, two renderers (dashboard/views/leaderboard-table.tsx): the board hono/jsx/dom
    // draws after an update reads as the HTML hono/jsx sends for the same data.
    const served = await page.evaluate(async () => {
      const html = await (await fetch(location.href)).text();
      const parsed = new DOMParser().parseFromString(html, 'text/html');
      return {
        rows: parsed.getElementById('rows')?.innerHTML,
        pinned: parsed.getElementById('pinned')?.innerHTML,
      };
    });
    expect(served.rows).toContain('@OpenData_Forum');
    await page.evaluate(() => {
      const rows = document.getElementById('rows');
      if (!rows) throw new Error('no #rows');
      new MutationObserver(() => Object.assign(window, { redrawn: true })).observe(rows, { childList: true });
    });
    await publishUpdate();
    await page.waitForFunction(() => (window as unknown as { redrawn?: boolean }).redrawn, undefined, wait);
    expect(await page.locator('#rows').innerHTML()).toBe(served.rows);
    expect(await page.locator('#pinned').innerHTML()).toBe(served.pinned);
  });

  test('switches scope and metric without a reload', async () => {
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await page.click('#scope-switch a[data-scope="watchlist"]');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 3, undefined, wait);
    expect(await page.locator('#rows .username').allTextContents()).toEqual([
      '@alice',
      '@bob',
      '@OpenData_Forum',
    ]);
    expect(page.url()).toContain('scope=watchlist');

    // Every metric of the contract is offered; the ones the ranking API does not have yet say so.
    await page.click('#metric-switch a[data-metric="engagement"]');
    await waitForText(page, '#value-heading', 'Engagement');
    const api = await fetch(url('/api/v1/campaigns/ogp16/leaderboard?metric=engagement&scope=watchlist'));
    if (api.ok) {
      const board = (await api.json()) as { rows: Array<{ username: string }> };
      await page.waitForFunction(
        (count) => document.querySelectorAll('#rows tr').length === count,
        board.rows.length,
        wait,
      );
      expect(await page.locator('#board-note').isHidden()).toBe(true);
    } else {
      await page.waitForSelector('#board-note:not([hidden])', wait);
      expect(await page.locator('#board-note').textContent()).toContain('not available yet');
    }
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );

    await page.click('#metric-switch a[data-metric="posts"]');
    await page.click('#scope-switch a[data-scope="all"]');
    await waitForText(page, '#headline', 'n°4 of 5 accounts by posts');
    expect(await page.locator('#metric-switch a[aria-current="true"]').textContent()).toBe('Posts');
  });

  test('switches to French: labels, numbers and dates', async () => {
    await page.click('#lang-switch');
    await page.waitForSelector('html[lang="fr"]', wait);
    expect(await headline(page)).toBe('@OpenData_Forum — n°4 sur 5 comptes par publications');
    expect(await page.locator('#followers').textContent()).toMatch(
      /^1[\u202f\u00a0]234 abonnés · \+134 sur la période$/,
    );
    expect(await page.locator('main > p.muted').first().textContent()).toContain('7–9 décembre 2016');
    await liveStream(page);
    expect(await page.locator('#live-status').textContent()).toBe('en direct');
    await page.screenshot({ path: `${shots}live-fr-1080p.png` });
  });

  test('a rank change arrives by Server-Sent Events, without a reload', async () => {
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    await addPosts('100', 4); // 6 posts: n°1
    const published = Date.now();
    await publishUpdate();
    await waitForText(page, '#headline', 'n°1 sur 5');
    const latencyMs = Date.now() - published;
    expect(await page.locator('#rows tr').first().locator('.username').textContent()).toBe('@OpenData_Forum');
    // Rows redrawn by the browser code: names are still text.
    expect(await page.locator('#rows .name').allTextContents()).toContain(scriptXss);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    console.info(`rank change on screen ${latencyMs} ms after the publish`);
    expect(latencyMs).toBeLessThan(5_000);
    await page.screenshot({ path: `${shots}rank-change-fr-1080p.png` });
  });

  test('the stream reconnects by itself after a server restart, and catches up', async () => {
    await server.close();
    await page.waitForSelector('#live-status[data-state="reconnecting"]', wait);
    await addPosts('2', 6); // bob 10: the home account is n°2
    server = await startDashboard();
    await waitForText(page, '#headline', 'n°2 sur 5');
    await liveStream(page);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
  });

  test('rows whose rank moved flash: up, down', async () => {
    await addPosts('3', 4); // carol 7: n°2, the home account n°3, alice n°4
    await publishUpdate();
    await waitForText(page, '#headline', 'n°3 sur 5');
    expect(await page.locator('#rows tr.rose .username').allTextContents()).toEqual(['@carol']);
    expect(await page.locator('#rows tr.fell .username').allTextContents()).toEqual([
      '@OpenData_Forum',
      '@alice',
    ]);
    expect(await page.locator('#rows tr.home').getAttribute('class')).toBe('home fell');
  });

  test('phone width, in both languages', async () => {
    for (const lang of ['en', 'fr']) {
      const phone = await openPage(`/campaigns/ogp16?lang=${lang}`, { width: 390, height: 844 });
      await chartsDrawn(phone);
      // Nothing wider than the screen: no sideways scrolling.
      const tooWide = await phone.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}`),
      );
      expect(tooWide).toEqual([]);
      await phone.screenshot({ path: `${shots}live-${lang}-phone.png` });
      await phone.close();
    }
  });

  test('the keyboard reaches the skip link first, then the navigation', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
  });
});

describe('administration in the browser', () => {
  test('nothing changes without the token; with it, pause, add an account, resume', async () => {
    const ops = await openPage('/ops');
    const pause = 'article.campaign-admin button[data-url$="/pause"]';
    await ops.click(pause);
    await waitForText(ops, '#admin-status', 'Enter the admin token first.');
    await ops.fill('#admin-token', 'a-wrong-token-a-wrong-token');
    await ops.click(pause);
    await waitForText(ops, '#admin-status', 'Refused: the admin token is wrong');
    expect((await db.selectFrom('campaigns').select('paused').executeTakeFirstOrThrow()).paused).toBe(false);

    await ops.fill('#admin-token', adminToken);
    await Promise.all([ops.waitForEvent('load', wait), ops.click(pause)]);
    await waitForText(ops, 'article.campaign-admin', 'Collection paused');
    expect((await db.selectFrom('campaigns').select('paused').executeTakeFirstOrThrow()).paused).toBe(true);
    // The token stays for this tab (the admin script fills the field after the first paint).
    await expect.poll(() => ops.inputValue('#admin-token'), wait).toBe(adminToken);

    await ops.fill('#add-account-ogp16', '@carol');
    await Promise.all([ops.waitForEvent('load', wait), ops.press('#add-account-ogp16', 'Enter')]);
    await waitForText(ops, 'article.campaign-admin', '@carol');
    await Promise.all([
      ops.waitForEvent('load', wait),
      ops.click('article.campaign-admin button[data-url$="/resume"]'),
    ]);
    await waitForText(ops, 'article.campaign-admin', 'Collection running');
    await ops.screenshot({ path: `${shots}ops-admin-en-1080p.png`, fullPage: true });
    await ops.close();
  });
});

describe('user text in every page', () => {
  test('post texts and names are shown as text, never run', async () => {
    const account = await openPage('/campaigns/ogp16/accounts/mallory');
    const texts = await account.locator('.post-text').allTextContents();
    expect(texts).toEqual(expect.arrayContaining([`${imgXss} #OGP16`, `${scriptXss} #OGP16`]));
    expect(await account.locator('.bio').textContent()).toBe(imgXss);
    await account.screenshot({ path: `${shots}account-en-1080p.png`, fullPage: true });

    const ops = await openPage('/ops');
    for (const page of [account, ops]) {
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(await page.locator('main script:not([type="application/json"])').count()).toBe(0);
    }
    expect(dialogs).toEqual([]);
  });
});
