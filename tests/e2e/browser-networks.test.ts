import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { type DashboardServer, serveDashboard } from '../../dashboard/server/serve.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { storeNetworkPage } from '../../src/db/network-posts-repository.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import type { NetworkAccount } from '../../src/networks/types.ts';
import { blueskyAccount, blueskyPost, insertXAccounts, insertXPosts } from '../support/network-records.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * A campaign on X and Bluesky in a real browser: the network switch filters the board in place (no
 * reload), keeps its choice in the address, and a live update on that network redraws that
 * network's board only. Each row carries its network's labelled mark.
 */

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const at = new Date('2016-12-08T09:30:00Z');
const wait = { timeout: 15_000 };
const prefix = uniqueName('bull');

let t: TestDatabase;
let db: Db;
let campaignId: number;
let blueskyQuery: number;
let server: DashboardServer;
let publisher: Redis;
let browser: Browser;
let postNumber = 0;

async function blueskyPosts(author: NetworkAccount, count: number): Promise<void> {
  const posts = Array.from({ length: count }, () => blueskyPost(author, `p${postNumber++}`, at, 1));
  await storeNetworkPage(db, {
    network: 'bluesky',
    posts,
    accounts: [author],
    observedAt: at,
    source: 'recent',
    match: { campaignId, queryId: blueskyQuery },
  });
}

const peer = blueskyAccount('did:plc:peer', 'peer.bsky.social');

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  await insertXAccounts(
    db,
    [
      ['1', 'alice'],
      ['100', 'OpenData_Forum'],
    ],
    at,
  );
  // Other test files publish updates for their own campaign n°1 on the same channel.
  await sql`select setval('campaigns_id_seq', ${randomInt(100_000, 900_000)})`.execute(db);
  const file = parseCampaignFile(
    `slug: forum
name: Forum
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: { name: Open Data Forum, x: OpenData_Forum, bluesky: opendataforum.bsky.social }
queries: { x: ["#OGP16"], bluesky: ["#OGP16"] }
`,
    'forum.yaml',
  );
  campaignId = (await applyCampaign(db, file, at)).campaignId;
  const queries = await db.selectFrom('campaign_queries').select(['id', 'network']).execute();
  blueskyQuery = queries.find((query) => query.network === 'bluesky')?.id ?? 0;
  const xQuery = queries.find((query) => query.network === 'x')?.id ?? 0;
  const onX = { campaignId, queryId: xQuery };
  await insertXPosts(db, onX, '1', ['1001', '1002', '1003'], at);
  await insertXPosts(db, onX, '100', ['1004', '1005'], at);
  await blueskyPosts(blueskyAccount('did:plc:home', 'opendataforum.bsky.social'), 2);
  await blueskyPosts(peer, 1);

  publisher = new Redis(testRedisUrl);
  const app = createDashboard({ db, clock, demo: false, log: silentLog, redisUrl: testRedisUrl, prefix });
  server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  publisher?.disconnect();
  await t?.drop();
});

const handles = (page: Page) => page.locator('#rows .username').allTextContents();
const labels = (page: Page) =>
  page
    .locator('#rows .network-icon')
    .evaluateAll((icons) => icons.map((icon) => icon.getAttribute('aria-label')));

describe('a campaign on X and Bluesky in Chromium', () => {
  test('the network switch filters the board in place; a live update keeps the network chosen', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/campaigns/forum`);
    await page.waitForSelector('#live-status[data-state="live"]', wait);
    // Every network together: four accounts, two on each.
    expect((await handles(page)).sort()).toEqual(
      ['@OpenData_Forum', '@alice', '@opendataforum.bsky.social', '@peer.bsky.social'].sort(),
    );
    expect((await labels(page)).sort()).toEqual(['Bluesky', 'Bluesky', 'X', 'X']);
    // The page survives the switch: a mark set now would be gone after a reload.
    await page.evaluate(() => {
      (window as unknown as { unreloaded: boolean }).unreloaded = true;
    });
    await page.click('#network-switch a[data-network="bluesky"]');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#rows .network-icon')].every(
          (icon) => icon.getAttribute('aria-label') === 'Bluesky',
        ),
      undefined,
      wait,
    );
    expect(await handles(page)).toEqual(['@opendataforum.bsky.social', '@peer.bsky.social']);
    expect(new URL(page.url()).searchParams.get('network')).toBe('bluesky');
    expect(await page.locator('#network-switch a[aria-current="true"]').textContent()).toBe('Bluesky');
    expect(await page.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);

    // The peer passes the home on Bluesky: the update redraws the Bluesky board, not every network's.
    await blueskyPosts(peer, 3);
    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));
    await page.waitForFunction(
      () => document.querySelector('#rows .username')?.textContent === '@peer.bsky.social',
      undefined,
      wait,
    );
    expect(await handles(page)).toEqual(['@peer.bsky.social', '@opendataforum.bsky.social']);
    expect(await labels(page)).toEqual(['Bluesky', 'Bluesky']);
    // Back to every network.
    await page.click('#network-switch a[data-network="all"]');
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 4, undefined, wait);
    expect(new URL(page.url()).searchParams.has('network')).toBe(false);
    await page.close();
  });
});
