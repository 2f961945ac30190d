import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorJson } from '../../dashboard/api-contract.ts';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { connectQueues, type DashboardQueues } from '../../dashboard/server/queue-inspection.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { requestBackfill, requestSnapshot, snapshotNowJobId } from '../../src/jobs/enqueue.ts';
import { jobIds, jobNames } from '../../src/jobs/queue-names.ts';
import { accountRow, applyOgp16 } from '../support/campaign-fixture.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

const token = 'a-very-long-admin-token-for-tests-0123456789';
const clock = new ManualClock('2016-12-08T12:00:00+01:00');
let t: TestDatabase;
let db: Db;
let app: Dashboard;
let collection: { queues: DashboardQueues; close(): Promise<void> };
let campaignId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await db
    .insertInto('accounts')
    .values(accountRow('42', 'Etalab', seenAt))
    .execute();
  campaignId = (await applyOgp16(db, seenAt, ['opengovpart'])).campaignId;
  collection = connectQueues(testRedisUrl, { prefix: uniqueName('bull') });
  app = createDashboard({
    db,
    clock,
    demo: false,
    log: silentLog,
    queues: collection.queues,
    adminToken: token,
  });
});

afterAll(async () => {
  for (const queue of Object.values(collection?.queues ?? {})) await queue.obliterate({ force: true });
  await collection?.close();
  await app?.close();
  await t?.drop();
});

const bearer = (value: string) => ({ Authorization: `Bearer ${value}` });

async function call(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; on?: Dashboard } = {},
) {
  const response = await (options.on ?? app).request(`/api/v1/campaigns/ogp16${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.headers ?? bearer(token)),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return {
    response,
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & ErrorJson,
  };
}

const writeRoutes: Array<[string, string, unknown]> = [
  ['POST', '/watchlist', { username: 'etalab' }],
  ['DELETE', '/watchlist/opengovpart', undefined],
  ['POST', '/queries', { query: '#OGPSummit' }],
  ['DELETE', '/queries/1', undefined],
  ['POST', '/backfill', undefined],
  ['POST', '/pause', undefined],
  ['POST', '/resume', undefined],
];

describe('the admin token guards every write route', () => {
  test.each(writeRoutes)('%s %s: 401 without a token, with a challenge', async (method, path, body) => {
    const { status, body: json, response } = await call(method, path, { headers: {}, body });
    expect(status).toBe(401);
    expect(json.error.code).toBe('unauthorized');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  });

  test.each(writeRoutes)('%s %s: 403 with a wrong token', async (method, path, body) => {
    for (const wrong of [`${token}x`, token.slice(0, -1), 'short']) {
      const { status, body: json } = await call(method, path, { headers: bearer(wrong), body });
      expect(status).toBe(403);
      expect(json.error).toEqual({ code: 'forbidden', message: 'the admin token is wrong' });
    }
  });

  test.each(writeRoutes)(
    '%s %s: 403 naming ADMIN_TOKEN when none is configured',
    async (method, path, body) => {
      const readOnly = createDashboard({ db, clock, demo: false, queues: collection.queues });
      const { status, body: json } = await call(method, path, { body, on: readOnly });
      expect(status).toBe(403);
      expect(json.error.code).toBe('admin_disabled');
      expect(json.error.message).toContain('ADMIN_TOKEN is not set');
    },
  );

  test('other schemes are no credentials', async () => {
    const basic = `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`;
    expect((await call('POST', '/pause', { headers: { Authorization: basic } })).status).toBe(401);
    expect((await call('POST', '/pause', { headers: { Authorization: 'Bearer' } })).status).toBe(401);
  });

  test('reads stay open', async () => {
    expect((await app.request('/api/v1/campaigns/ogp16/leaderboard')).status).toBe(200);
  });
});

describe('watchlist', () => {
  test('adds an account once, linking a known one; usernames are case-insensitive', async () => {
    const added = await call('POST', '/watchlist', { body: { username: '@Etalab' } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      campaign: 'ogp16',
      username: 'Etalab',
      changed: true,
      snapshotQueued: true,
    });
    const again = await call('POST', '/watchlist', { body: { username: 'ETALAB' } });
    expect(again.status).toBe(200);
    expect(again.body.changed).toBe(false);
    const row = await db
      .selectFrom('campaign_accounts')
      .select(['username', 'role', 'account_id'])
      .where('username', '=', 'Etalab')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ username: 'Etalab', role: 'peer', account_id: '42' });
  });

  test.each([
    [{ username: 'not a user' }, 'username: expected an X username'],
    [{ username: 'sixteen_letters_' }, 'username: expected an X username'],
    [{ username: 42 }, 'username: expected an X username'],
    [{}, 'username: expected an X username'],
  ])('refuses %j', async (body, message) => {
    const { status, body: json } = await call('POST', '/watchlist', { body });
    expect(status).toBe(400);
    expect(json.error.code).toBe('invalid_parameter');
    expect(json.error.message).toContain(message);
  });

  test('removes a peer; the home account and strangers are refused', async () => {
    const removed = await call('DELETE', '/watchlist/ETALAB');
    expect(removed.status).toBe(200);
    expect(removed.body.changed).toBe(true);
    const home = await call('DELETE', '/watchlist/opendata_forum');
    expect(home.status).toBe(409);
    expect(home.body.error.message).toContain('home account');
    expect((await call('DELETE', '/watchlist/nobody_here')).status).toBe(404);
    expect((await call('DELETE', '/watchlist/bad-name')).status).toBe(400);
  });

  test('an unknown campaign is a 404 (after the token check)', async () => {
    const response = await app.request('/api/v1/campaigns/nope/pause', {
      method: 'POST',
      headers: bearer(token),
    });
    expect(response.status).toBe(404);
    const anonymous = await app.request('/api/v1/campaigns/nope/pause', { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });
});

describe('queries and collection', () => {
  const waitingTicks = async () =>
    (await collection.queues.search.getJobs(['waiting', 'prioritized', 'delayed', 'paused'])).filter(
      (job) => job.name === 'tick' && job.data.campaignId === campaignId,
    ).length;

  test('adds a query and queues a poll of the campaign', async () => {
    const before = await waitingTicks();
    const added = await call('POST', '/queries', { body: { query: '  #OGPSummit  ' } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ query: '#OGPSummit', active: true, changed: true, pollQueued: true });
    expect(await waitingTicks()).toBe(before + 1);
    const again = await call('POST', '/queries', { body: { query: '#OGPSummit' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: added.body.id, changed: false, pollQueued: false });
  });

  test.each([
    [{ query: '   ' }, 'query: expected a non-empty X search query'],
    [{ query: 'x'.repeat(513) }, 'query: X queries are 512 characters at most'],
    [{ query: ['#a'] }, 'query: expected an X search query'],
  ])('refuses %#', async (body, message) => {
    const { status, body: json } = await call('POST', '/queries', { body });
    expect(status).toBe(400);
    expect(json.error.message).toBe(message);
  });

  test('a body that is not JSON is a 400', async () => {
    const response = await app.request('/api/v1/campaigns/ogp16/queries', {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: '{"query":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorJson).error.code).toBeTruthy();
  });

  test('retires a query (kept, like the campaign file does) and brings it back', async () => {
    const query = await db
      .selectFrom('campaign_queries')
      .select('id')
      .where('query', '=', '#OGPSummit')
      .executeTakeFirstOrThrow();
    const retired = await call('DELETE', `/queries/${query.id}`);
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ id: query.id, query: '#OGPSummit', active: false, changed: true });
    expect((await call('DELETE', '/queries/999999')).status).toBe(404);
    expect((await call('DELETE', '/queries/abc')).status).toBe(400);
    const back = await call('POST', '/queries', { body: { query: '#OGPSummit' } });
    expect(back.status).toBe(201);
    expect(back.body.id).toBe(query.id);
  });

  test('pause, resume (which polls at once) and backfill', async () => {
    expect((await call('POST', '/pause')).body).toEqual({ campaign: 'ogp16', paused: true, queued: null });
    expect((await db.selectFrom('campaigns').select('paused').executeTakeFirstOrThrow()).paused).toBe(true);
    const before = await waitingTicks();
    expect((await call('POST', '/resume')).body).toEqual({
      campaign: 'ogp16',
      paused: false,
      queued: 'tick',
    });
    expect((await db.selectFrom('campaigns').select('paused').executeTakeFirstOrThrow()).paused).toBe(false);
    expect(await waitingTicks()).toBe(before + 1);
  });

  test('a paused campaign is not backfilled', async () => {
    await call('POST', '/pause');
    const refused = await call('POST', '/backfill');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('paused');
    await call('POST', '/resume');
  });

  test('without queues, a backfill is a 503', async () => {
    const noQueues = createDashboard({ db, clock, demo: false, adminToken: token });
    const { status, body, response } = await call('POST', '/backfill', { on: noQueues });
    expect(status).toBe(503);
    expect(body.error.code).toBe('unavailable');
    expect(response.headers.get('retry-after')).toBe('30');
  });
});

describe("backfill and snapshot requests queue the workers' own jobs", () => {
  const queued = async (queue: 'search' | 'users', name: string) =>
    (
      await collection.queues[queue].getJobs(['waiting', 'prioritized', 'delayed', 'paused', 'active'])
    ).filter((job) => job.name === name && job.data.campaignId === campaignId);

  test('POST /backfill queues the backfill of each query once, however many clicks', async () => {
    const [walking, unpolled, done] = await Promise.all(
      ['#OGP16-walk', '#OGP16-new', '#OGP16-done'].map(
        async (query) => (await call('POST', '/queries', { body: { query } })).body.id as number,
      ),
    );
    // As after a first poll (it sets where the walk starts), and after a walk that reached the
    // horizon and read the window's older part from the archive.
    await db
      .updateTable('campaign_queries')
      .set({ backfill_until_id: '806000000000000000', backfill_done: false })
      .where('id', '=', walking as number)
      .execute();
    await db
      .updateTable('campaign_queries')
      .set({ backfill_until_id: '806000000000000000', backfill_done: true, archive_done: true })
      .where('id', '=', done as number)
      .execute();
    const active = await db
      .selectFrom('campaign_queries')
      .select(['id', 'backfill_until_id', 'backfill_done'])
      .where('campaign_id', '=', campaignId)
      .where('active', '=', true)
      .orderBy('id')
      .execute();
    const expected = {
      campaign: 'ogp16',
      backfills: active.filter((q) => q.backfill_until_id && !q.backfill_done).map((q) => q.id),
      polls: active.filter((q) => !q.backfill_until_id).map((q) => q.id),
      complete: active.filter((q) => q.backfill_done).map((q) => q.id),
    };
    expect(expected.backfills).toEqual([walking]);
    expect(expected.polls).toContain(unpolled);
    expect(expected.complete).toEqual([done]);

    for (const click of [1, 2]) {
      const { status, body } = await call('POST', '/backfill');
      expect(status, `click ${click}`).toBe(202);
      expect(body).toEqual(expected);
    }
    const backfills = await queued('search', jobNames.backfill);
    expect(backfills.map((job) => [job.id, job.data])).toEqual([
      [jobIds.backfill(walking as number), { campaignId, queryId: walking }],
    ]);
    const polls = await queued('search', jobNames.poll);
    expect(polls.map((job) => job.id).sort()).toEqual(expected.polls.map((id) => jobIds.poll(id)).sort());
    expect(backfills[0]?.opts.attempts).toBe(5);
  });

  test('adding watchlist accounts queues one snapshot now, not one per click', async () => {
    // The first account added above already queued it; no worker runs here, so it still waits.
    expect(await queued('users', jobNames.snapshot)).toHaveLength(1);
    const added = await call('POST', '/watchlist', { body: { username: 'data_gouv' } });
    expect(added.status).toBe(201);
    expect(added.body.snapshotQueued).toBe(true);
    const second = await call('POST', '/watchlist', { body: { username: 'other_peer' } });
    expect(second.body.snapshotQueued).toBe(true);
    const again = await call('POST', '/watchlist', { body: { username: 'DATA_GOUV' } });
    expect(again.body).toMatchObject({ changed: false, snapshotQueued: false });
    const snapshots = await queued('users', jobNames.snapshot);
    expect(snapshots.map((job) => [job.id, job.data])).toEqual([
      [snapshotNowJobId(campaignId), { campaignId }],
    ]);
  });

  test('requestSnapshot and requestBackfill are idempotent while their jobs wait', async () => {
    await requestSnapshot(collection.queues, campaignId);
    await requestSnapshot(collection.queues, campaignId);
    expect(await queued('users', jobNames.snapshot)).toHaveLength(1);
    const first = await requestBackfill(db, collection.queues, campaignId);
    const second = await requestBackfill(db, collection.queues, campaignId);
    expect(second).toEqual(first);
    expect(await queued('search', jobNames.backfill)).toHaveLength(first.backfills.length);
  });

  test('a snapshot requested while one runs runs once more after it', async () => {
    // Take the waiting snapshot as a worker would: it is now running.
    await requestSnapshot(collection.queues, campaignId);
    const connection = new Redis(testRedisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(collection.queues.users.name, null, {
      connection,
      prefix: collection.queues.users.opts.prefix,
    });
    try {
      const running = await worker.getNextJob('test-lock');
      expect(running?.id).toBe(snapshotNowJobId(campaignId));
      await requestSnapshot(collection.queues, campaignId);
      await requestSnapshot(collection.queues, campaignId);
      const waiting = await collection.queues.users.getJobs(['waiting', 'prioritized']);
      expect(waiting.map((job) => job.id)).toEqual([snapshotNowJobId(campaignId, true)]);
    } finally {
      await worker.close(true);
      connection.disconnect();
    }
  });
});

describe('BullMQ board under /admin/queues', () => {
  const basic = (password: string) => ({
    Authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`,
  });

  test('asks a browser to sign in, refuses a wrong token', async () => {
    const anonymous = await app.request('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(anonymous.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await app.request('/admin/queues', { headers: basic('nope') })).status).toBe(403);
    expect((await app.request('/admin/queues/api/queues', { headers: bearer('nope') })).status).toBe(403);
  });

  test('serves the board, its API and its assets with the token', async () => {
    const page = await app.request('/admin/queues', { headers: basic(token) });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/"');
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    const css = /href="(static\/css\/[^"]+)"/.exec(html)?.[1];
    expect((await app.request(`/admin/queues/${css}`, { headers: basic(token) })).status).toBe(200);
    const api = await app.request('/admin/queues/api/queues', { headers: bearer(token) });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map(
      (queue) => queue.name,
    );
    expect(names).toEqual(expect.arrayContaining(['x-search', 'x-users']));
  }, 20_000);

  test('our own pages keep the strict policy', async () => {
    const page = await app.request('/ops');
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});
