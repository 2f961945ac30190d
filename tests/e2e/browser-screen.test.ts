import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { type DashboardServer, serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import { addCampaignPost, loadScreenDemo, type ScreenDemo } from '../support/screen-fixture.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * The big screen in Chromium at 1920×1080 and 4K, on the demo campaign (the simulator's OGP 2016
 * scenario, avatars fetched from the simulator, which is then stopped): nothing scrolls, text is
 * readable from across the room, the home account is on screen, every request stays on the
 * dashboard's origin, the panels rotate without moving anything around them, and a new post is on
 * screen within a second of its write. Screenshots land in test-results/browser-screen/.
 */

const shots = new URL('../../test-results/browser-screen/', import.meta.url).pathname;
const wait = { timeout: 20_000 };
const prefix = uniqueName('bull');

let t: TestDatabase;
let db: Db;
let demo: ScreenDemo;
let server: DashboardServer;
let publisher: Redis;
let browser: Browser;
let context: BrowserContext;
let origin: string;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  await mkdir(shots, { recursive: true });
  t = await createTestDatabase();
  db = t.db;
  demo = await loadScreenDemo(db);
  publisher = new Redis(testRedisUrl);
  const app = createDashboard({
    db,
    clock: new ManualClock(demo.observedAt),
    demo: true,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix,
  });
  server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
  origin = `http://127.0.0.1:${server.port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  context = await browser.newContext({ locale: 'en-GB' });
  context.on('request', (request) => requests.push(request.url()));
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  publisher?.disconnect();
  await t?.drop();
});

async function open(path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(`${origin}${path}`);
  await page.waitForSelector('#live-status[data-state="live"]', wait);
  return page;
}

/** What the page lays out beyond the viewport, and the smallest text a person can see on it. */
const measure = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    let smallest = Number.POSITIVE_INFINITY;
    let smallestText = '';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!element || !node.textContent?.trim() || element.closest('script, .visually-hidden, .skip-link'))
        continue;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || style.visibility === 'hidden' || element.closest('[aria-hidden="true"]'))
        continue;
      const size = Number.parseFloat(style.fontSize);
      if (size < smallest) [smallest, smallestText] = [size, node.textContent.trim()];
    }
    const home = document.querySelector('#screen-home') as HTMLElement;
    return {
      overflowX: root.scrollWidth - window.innerWidth,
      overflowY: root.scrollHeight - window.innerHeight,
      smallest,
      smallestText,
      home: Number.parseFloat(getComputedStyle(home).fontSize),
      homeClipped: home.scrollWidth > home.clientWidth,
    };
  });

/** Cells of the panel on screen whose text does not fit (names and headings must be whole). */
const clippedCells = (page: Page) =>
  page.$$eval('.screen-slot.active :is(td.account, th)', (cells) =>
    cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((cell) => cell.textContent),
  );

const activeTitle = (page: Page) => page.locator('.screen-slot.active .screen-panel-title').textContent();
const boxOf = (page: Page, selector: string) => page.locator(selector).boundingBox();

describe('the big screen in Chromium', () => {
  let page: Page;

  test('at 1920×1080: nothing scrolls, text readable from afar, the home account on screen', async () => {
    page = await open('/campaigns/ogp16/screen?every=4', { width: 1920, height: 1080 });
    const sizes = await measure(page);
    expect(sizes.overflowX).toBeLessThanOrEqual(0);
    expect(sizes.overflowY).toBeLessThanOrEqual(0);
    expect(sizes.smallest, `smallest text: "${sizes.smallestText}"`).toBeGreaterThanOrEqual(22);
    expect(sizes.home).toBeGreaterThanOrEqual(28);
    expect(sizes.homeClipped).toBe(false);
    expect(await page.locator('.demo-banner').textContent()).toContain('simulated data');

    const home = page.locator('#screen-home');
    expect(await home.textContent()).toMatch(/@OpenData_Forum.*n°3 of [\d,]+ by posts/);
    expect(await home.isVisible()).toBe(true);
    const row = page.locator('.screen-slot.active tr.home');
    expect(await row.locator('.username').textContent()).toBe('@OpenData_Forum');
    expect(await row.isVisible()).toBe(true);
    // Whole names and headings: no cell cuts its text.
    expect(await clippedCells(page)).toEqual([]);
    await page.screenshot({ path: `${shots}screen-1080p.png` });
  });

  test('avatars come from the dashboard, and no request leaves its origin', async () => {
    const loaded = await page.$$eval('.screen-slot.active img.avatar-image', (images: HTMLImageElement[]) =>
      images.filter((img) => img.complete && img.naturalWidth === 48).map((img) => new URL(img.src).origin),
    );
    expect(demo.avatars.stored).toBeGreaterThan(10);
    expect(loaded.length).toBeGreaterThan(5);
    expect(new Set(loaded)).toEqual(new Set([origin]));
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
  });

  test('the panels rotate, each move without shifting the page', async () => {
    const stage = await boxOf(page, '#screen-stage');
    const homeLine = await boxOf(page, '#screen-home');
    const seen = [await activeTitle(page)];
    for (let turn = 0; turn < 4; turn++) {
      const before = seen.at(-1);
      await page.waitForFunction(
        (title) => document.querySelector('.screen-slot.active .screen-panel-title')?.textContent !== title,
        before,
        wait,
      );
      seen.push(await activeTitle(page));
      await page.waitForTimeout(900); // the cross-fade (client/screen.css)
      expect(await boxOf(page, '#screen-stage')).toEqual(stage);
      expect(await boxOf(page, '#screen-home')).toEqual(homeLine);
      const sizes = await measure(page);
      expect(sizes.overflowY).toBeLessThanOrEqual(0);
      expect(sizes.smallest, `smallest text: "${sizes.smallestText}"`).toBeGreaterThanOrEqual(22);
      await page.screenshot({ path: `${shots}screen-panel-${turn + 1}.png` });
    }
    // The rotation may have begun before this test: it goes round from wherever it is.
    const cycle = [
      'Top accounts by posts',
      'Top accounts by engagement',
      'Followers and growth',
      'Top posts',
    ];
    const start = cycle.indexOf(seen[0] ?? '');
    expect(seen).toEqual([0, 1, 2, 3, 4].map((turn) => cycle[(start + turn) % cycle.length]));
    expect(await page.locator('#screen-panel-list li.active').textContent()).toBe(seen.at(-1));
  });

  test('a new post is on screen within a second of its write', async () => {
    const homeId = demo.scenario.users.find((user) => user.username === demo.scenario.homeUsername)?.id;
    const queryId = (await db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow()).id;
    const before = (await page.locator('#screen-home-posts').textContent()) ?? '';
    const count = Number(before.replace(/\D/g, ''));
    const started = Date.now();
    await addCampaignPost(
      db,
      { campaignId: demo.campaign.id, queryId },
      homeId as string,
      '9000000000000000001',
      new Date(demo.scenario.window.end.getTime() - 60_000),
    );
    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId: demo.campaign.id }));
    await page.waitForFunction(
      (expected) => document.querySelector('#screen-home-posts')?.textContent === expected,
      `${(count + 1).toLocaleString('en-GB')} posts`,
      { timeout: 5_000, polling: 'raf' },
    );
    const elapsed = Date.now() - started;
    expect(elapsed, consoleErrors.join('\n')).toBeLessThan(1000);
  });

  test('in French, and at 4K the same page, twice as large', async () => {
    const fr = await open('/campaigns/ogp16/screen?lang=fr', { width: 1920, height: 1080 });
    expect(await fr.locator('#screen-home').textContent()).toMatch(
      /n°3 sur [\d\u202f\u00a0]+ par publications/,
    );
    expect(await fr.locator('.screen-slot.active .screen-panel-title').textContent()).toBe(
      'Comptes les plus actifs (publications)',
    );
    const french = await measure(fr);
    expect(french.homeClipped).toBe(false);
    expect(await clippedCells(fr)).toEqual([]);
    expect(french.overflowY).toBeLessThanOrEqual(0);
    await fr.screenshot({ path: `${shots}screen-fr.png` });
    await fr.close();
    const big = await open('/campaigns/ogp16/screen', { width: 3840, height: 2160 });
    const sizes = await measure(big);
    expect(sizes.overflowX).toBeLessThanOrEqual(0);
    expect(sizes.overflowY).toBeLessThanOrEqual(0);
    expect(sizes.smallest).toBeGreaterThanOrEqual(44);
    await big.screenshot({ path: `${shots}screen-4k.png` });
    await big.close();
  });
});
