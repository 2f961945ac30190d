import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { avatarSrc } from '../../dashboard/views/present.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { fetchAvatars, maxAvatarBytes } from '../../src/collect/fetch-avatars.ts';
import { upsertAccounts } from '../../src/db/accounts.ts';
import type { Db } from '../../src/db/database.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { avatarPng } from '../../src/simulator/x/routes/avatars.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * Profile images end to end: the simulator reports each account's image on its own host, the
 * worker's use-case fetches it once (checking size and type), and the dashboard serves it from its
 * own origin with caching headers, initials when there is none.
 */

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
let t: TestDatabase;
let db: Db;
let simulator: RunningSimulator;
let odd: Server;
let oddOrigin: string;
let campaignId: number;
const deps = () => ({ db, clock, log: silentLog });

/** A host that answers badly: the wrong type, too many bytes, a PNG type on HTML. */
function startOddHost(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url === '/page.png') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    } else if (request.url === '/huge.png') {
      response.writeHead(200, { 'content-type': 'image/png' });
      const png = avatarPng('1');
      response.end(Buffer.concat([png, Buffer.alloc(maxAvatarBytes)]));
    } else if (request.url === '/lying.png') {
      response.writeHead(200, { 'content-type': 'image/png' }).end('<svg onload="alert(1)"/>');
    } else response.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  simulator = await startSimulator({ scenario, clock, bearerToken: 'avatar-test' });
  odd = await startOddHost();
  oddOrigin = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  const x = new XClient({ bearerToken: 'avatar-test', baseUrl: simulator.baseUrl });
  const watchlist = scenario.watchlist.slice(0, 4);
  const { items } = await x.usersByUsernames([scenario.homeUsername, ...watchlist]);
  await upsertAccounts(db, items, clock.now());
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'ogp16',
      name: 'OGP16',
      timezone: 'Europe/Paris',
      window: { start: '2016-12-07T00:00:00+01:00', end: '2016-12-10T00:00:00+01:00' },
      home: scenario.homeUsername,
      queries: ['#OGP16'],
      watchlist,
    }),
    'ogp16.json',
  );
  campaignId = (await applyCampaign(db, file, clock.now())).campaignId;
  await db
    .updateTable('campaign_accounts as ca')
    .from('accounts as a')
    .set((eb) => ({ account_id: eb.ref('a.id') }))
    .whereRef('a.username', '=', 'ca.username')
    .execute();
});

afterAll(async () => {
  await simulator?.close();
  await new Promise((resolve) => odd?.close(resolve));
  await t?.drop();
});

const home = () =>
  db
    .selectFrom('accounts')
    .select(['id', 'profile_image_url'])
    .where('username', '=', scenario.homeUsername)
    .executeTakeFirstOrThrow();

describe('profile images', () => {
  test('the simulator reports images on its own host, and serves them as PNG', async () => {
    const { profile_image_url: url } = await home();
    expect(url).toMatch(new RegExp(`^${simulator.baseUrl.replace('/2/', '')}/avatars/\\d+\\.png$`));
    const response = await fetch(url as string);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  test('are fetched once per URL, and again when the URL changes', async () => {
    expect(await fetchAvatars(deps(), campaignId)).toEqual({ stored: 5, failed: 0 });
    expect(await fetchAvatars(deps(), campaignId)).toEqual({ stored: 0, failed: 0 });
    const { id } = await home();
    const other = (
      await db.selectFrom('accounts').select('id').where('id', '<>', id).executeTakeFirstOrThrow()
    ).id;
    await db
      .updateTable('accounts')
      .set({ profile_image_url: `${simulator.baseUrl.replace('/2/', '')}/avatars/${other}.png` })
      .where('id', '=', id)
      .execute();
    expect(await fetchAvatars(deps(), campaignId)).toEqual({ stored: 1, failed: 0 });
  });

  test.each([
    ['the wrong content type', '/page.png', 'content type text/html'],
    ['too many bytes', '/huge.png', `more than ${maxAvatarBytes} bytes`],
    ['a body that is not what its type says', '/lying.png', 'body is not image/png'],
    ['an error status', '/missing.png', 'HTTP 404'],
  ])('refuse %s, once', async (_, path, failure) => {
    const { id } = await home();
    await db
      .updateTable('accounts')
      .set({ profile_image_url: `${oddOrigin}${path}` })
      .where('id', '=', id)
      .execute();
    expect(await fetchAvatars(deps(), campaignId)).toEqual({ stored: 0, failed: 1 });
    expect(await fetchAvatars(deps(), campaignId)).toEqual({ stored: 0, failed: 0 });
    const row = await db
      .selectFrom('account_avatars')
      .selectAll()
      .where('account_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ body: null, failure });
  });

  test('are served from the dashboard with caching headers, initials when there is none', async () => {
    const app = createDashboard({ db, clock, demo: true, log: silentLog });
    const [fetched, refused] = await db
      .selectFrom('accounts as a')
      .innerJoin('account_avatars as av', 'av.account_id', 'a.id')
      .select(['a.id', 'a.profile_image_url', 'av.sha256', 'av.body'])
      .orderBy('av.body', 'desc')
      .orderBy('a.id')
      .execute()
      .then((rows) => [rows.find((row) => row.body), rows.find((row) => !row.body)]);
    if (!fetched || !refused) throw new Error('the tests above store both kinds');

    const src = avatarSrc(fetched.id, fetched.profile_image_url) as string;
    const image = await app.request(src);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('etag')).toBe(`"${fetched.sha256}"`);
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(new Uint8Array(fetched.body as Uint8Array));
    const again = await app.request(src, { headers: { 'If-None-Match': `"${fetched.sha256}"` } });
    expect(again.status).toBe(304);
    // An address naming an older source URL may get newer bytes: revalidated, not kept for good.
    const stale = await app.request(`/avatars/${fetched.id}?v=00000000`);
    expect(stale.headers.get('cache-control')).toBe('public, no-cache');

    await db.updateTable('accounts').set({ name: '<b>Ève</b> & co' }).where('id', '=', refused.id).execute();
    const initials = await app.request(`/avatars/${refused.id}`);
    expect(initials.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(initials.headers.get('cache-control')).toBe('no-cache');
    const svg = await initials.text();
    expect(svg).toContain('>BÈ</text>');
    expect(svg).not.toContain('<b>');

    expect((await app.request('/avatars/999999999')).status).toBe(404);
    expect((await app.request('/avatars/not-a-number')).status).toBe(404);
    const page = await app.request('/');
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data:;");
  });
});
