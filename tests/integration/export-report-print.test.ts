import { mkdir, writeFile } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadDemoCampaign } from '../support/export-fixtures.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * The report page printed by Chromium as the organisers print it: one A4 page, with the follower
 * chart loaded (the PNG export) and the page's own print styles. The PDFs go to test-results/.
 */

let t: TestDatabase;
let server: Awaited<ReturnType<typeof serveDashboard>>;
let app: ReturnType<typeof createDashboard>;
let browser: Browser;

beforeAll(async () => {
  t = await createTestDatabase();
  const demo = await loadDemoCampaign(t.db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true, log: silentLog });
  server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await app?.close();
  await t?.drop();
});

describe('the printable report', { timeout: 60_000 }, () => {
  test.each(['en', 'fr'] as const)('%s: one A4 page with the chart drawn', async (lang) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/campaigns/ogp16/report?lang=${lang}`, { waitUntil: 'networkidle' });
      const chart = page.locator('.report-chart img');
      expect(await chart.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth])).toEqual([
        true,
        1600,
      ]);
      await page.emulateMedia({ media: 'print' });
      // Navigation and downloads are for the screen only.
      expect(await page.locator('header.top').isVisible()).toBe(false);
      expect(await page.locator('.report-headline').textContent()).toMatch(
        lang === 'en' ? /n°3 of/ : /n°3 sur/,
      );
      const pdf = await page.pdf({ preferCSSPageSize: true });
      await mkdir('test-results', { recursive: true });
      await writeFile(`test-results/export-report-${lang}.pdf`, pdf);
      const text = pdf.toString('latin1');
      expect(text.match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
      // A4 in points: 595 × 842.
      const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(text);
      expect([Math.round(Number(box?.[1])), Math.round(Number(box?.[2]))]).toEqual([595, 842]);
    } finally {
      await page.close();
    }
  });
});
