import { readFile } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * The campaign file edited in Chromium on /ops: a new campaign pasted and applied, its file loaded
 * back, an edit with a mistake refused naming the field, then applied.
 */

const token = 'test-admin-token-0123456789';
let t: TestDatabase;
let app: ReturnType<typeof createDashboard>;
let server: Awaited<ReturnType<typeof serveDashboard>>;
let browser: Browser;
let demoFile: string;

beforeAll(async () => {
  t = await createTestDatabase();
  app = createDashboard({
    db: t.db,
    clock: new ManualClock(new Date('2016-12-06T12:00:00Z')),
    adminToken: token,
    demo: false,
    log: silentLog,
  });
  server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  demoFile = await readFile(new URL('../../campaigns/ogp16.yaml', import.meta.url), 'utf8');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  await t?.drop();
});

const status = (page: Page, text: RegExp) =>
  page.waitForFunction(
    ({ source, flags }) =>
      new RegExp(source, flags).test(document.getElementById('admin-status')?.textContent ?? ''),
    { source: text.source, flags: text.flags },
    { timeout: 10_000 },
  );

describe('the campaign file on /ops', { timeout: 90_000 }, () => {
  test('create, load, a refused edit naming the field, an applied edit', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/ops`, { waitUntil: 'networkidle' });
      await page.fill('#admin-token', token);
      await page.click('details.campaign-file summary');
      await page.fill('#campaign-file-new', demoFile);
      await page.click('form[data-file-method="POST"] button[type="submit"]');
      await status(page, /^Done\.$/);
      await page.waitForSelector('#campaign-file-ogp16', { state: 'attached', timeout: 10_000 });

      await page.click('#admin-ogp16 ~ details.campaign-file summary');
      await page.click('button[data-target="campaign-file-ogp16"]');
      await page.waitForFunction(() =>
        (document.getElementById('campaign-file-ogp16') as HTMLTextAreaElement).value.includes('slug: ogp16'),
      );
      const loaded = await page.inputValue('#campaign-file-ogp16');
      expect(loaded).toContain('start: 2016-12-07T00:00:00+01:00');

      await page.fill(
        '#campaign-file-ogp16',
        loaded.replace('timezone: Europe/Paris', 'timezone: Europe/Pariss'),
      );
      await page.click('form[data-file-method="PUT"] button[type="submit"]');
      await status(page, /^Refused: ogp16\.yaml: line 3, timezone: expected an IANA time zone/);

      await page.fill(
        '#campaign-file-ogp16',
        loaded.replace('watchlist:\n', 'watchlist:\n  - NewPeer_2016\n'),
      );
      await page.click('form[data-file-method="PUT"] button[type="submit"]');
      await status(page, /^Done\.$/);
      await page.waitForSelector('text=@NewPeer_2016', { timeout: 10_000 });
    } finally {
      await page.close();
    }
  });
});
