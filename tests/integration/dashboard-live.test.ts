import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { type DashboardServer, serveDashboard } from '../../dashboard/server/serve.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  retry?: string;
  comment?: string;
  atMs: number;
}

/** Reads an event stream with fetch, as EventSource would, keeping every field and comment. */
class SseReader {
  events: SseEvent[] = [];
  ended = false;
  #waiters = new Set<() => void>();

  constructor(readonly response: Response) {
    void this.#read();
  }

  async #read() {
    const reader = (this.response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          this.#parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // The server went away: the stream ends.
    }
    this.ended = true;
    for (const wake of this.#waiters) wake();
  }

  #parse(block: string) {
    const event: SseEvent = { atMs: Date.now() };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) event.comment = line.slice(1).trim();
      const [, field, value] = /^(event|id|data|retry): ?(.*)$/.exec(line) ?? [];
      if (field) event[field as 'event' | 'id' | 'data' | 'retry'] = value;
    }
    this.events.push(event);
    for (const wake of this.#waiters) wake();
  }

  async until(check: (events: SseEvent[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.events)) {
      if (Date.now() > deadline) throw new Error(`no such event in ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
        setTimeout(wake, 50);
      });
    }
  }
}

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
let t: TestDatabase;
let server: DashboardServer;
let publisher: Redis;
let campaignId: number;
const opened: AbortController[] = [];

async function openStream(path = '/api/v1/campaigns/ogp16/events', base = server.url): Promise<SseReader> {
  const abort = new AbortController();
  opened.push(abort);
  const response = await fetch(`${base}${path}`, {
    headers: { Accept: 'text/event-stream' },
    signal: abort.signal,
  });
  return new SseReader(response);
}

// This file's own channel: other files' campaign ids (the same small numbers) are not heard here.
const prefix = uniqueName('bull');
const publish = (id: number) =>
  publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId: id }));

beforeAll(async () => {
  t = await createTestDatabase();
  // Other test files publish on the same channel for their campaign n°1: this one has its own id.
  await sql`select setval('campaigns_id_seq', ${randomInt(100_000, 900_000)})`.execute(t.db);
  const file = parseCampaignFile(
    `slug: ogp16
name: OGP
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
`,
    'ogp16.yaml',
  );
  campaignId = (await applyCampaign(t.db, file, clock.now())).campaignId;
  publisher = new Redis(testRedisUrl);
  const app = createDashboard({
    db: t.db,
    clock,
    demo: false,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix,
    heartbeatMs: 300,
  });
  server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
});

afterAll(async () => {
  for (const abort of opened) abort.abort();
  await server?.close();
  publisher?.disconnect();
  await t?.drop();
});

describe('GET /api/v1/campaigns/:slug/events', () => {
  test('says hello with a retry delay, then relays a write within a second, with an id', async () => {
    const stream = await openStream();
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toMatch(/no-store|no-cache/);
    await stream.until((events) => events.some((e) => e.event === 'hello'));
    expect(stream.events[0]).toMatchObject({ event: 'hello', retry: '1000', data: '{"campaign":"ogp16"}' });

    const sentAt = Date.now();
    await publish(campaignId);
    await stream.until((events) => events.some((e) => e.event === 'update'));
    const update = stream.events.find((e) => e.event === 'update') as SseEvent;
    expect(update.atMs - sentAt).toBeLessThan(1000);
    expect(update.id).toMatch(/^[0-9a-z]+-\d+$/);
    expect(JSON.parse(update.data ?? '')).toEqual({ campaign: 'ogp16', at: '2016-12-08T11:00:00.000Z' });
  });

  test('a burst of writes makes a few updates, the last one never lost; other campaigns are not relayed', async () => {
    const stream = await openStream();
    await stream.until((events) => events.some((e) => e.event === 'hello'));
    await publish(campaignId + 1);
    for (let i = 0; i < 29; i++) await publish(campaignId);
    const beforeLast = Date.now();
    await publish(campaignId);
    // At most one update per 250 ms, and always one after the last write: a trailing update.
    await stream.until((events) => events.some((e) => e.event === 'update' && e.atMs >= beforeLast), 3000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const updates = stream.events.filter((e) => e.event === 'update');
    expect(updates.length).toBeLessThan(10);
    const ids = updates.map((e) => Number(e.id?.split('-')[1]));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  test('keeps idle connections alive with comments; ignores malformed messages', async () => {
    const stream = await openStream();
    await publisher.publish(campaignUpdatedChannel(prefix), 'not json');
    await publisher.publish(campaignUpdatedChannel(prefix), '{"campaignId":"1"}');
    await stream.until((events) => events.some((e) => e.comment === 'heartbeat'), 3000);
    expect(stream.events.filter((e) => e.event === 'update')).toEqual([]);
  });

  test('404 for an unknown campaign', async () => {
    const response = await fetch(`${server.url}/api/v1/campaigns/nope/events`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  test('503 without Redis, so that the page polls instead', async () => {
    const noRedis = createDashboard({ db: t.db, clock, demo: false });
    const response = await noRedis.request('/api/v1/campaigns/ogp16/events');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });

    const deadRedis = createDashboard({ db: t.db, clock, demo: false, redisUrl: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const refused = await deadRedis.request('/api/v1/campaigns/ogp16/events');
      expect(refused.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await deadRedis.close();
    }
  });

  test('closing the server ends the streams at once', async () => {
    const app = createDashboard({ db: t.db, clock, demo: false, redisUrl: testRedisUrl });
    const own = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
    const stream = await openStream('/api/v1/campaigns/ogp16/events', own.url);
    await stream.until((events) => events.some((e) => e.event === 'hello'));
    const started = Date.now();
    await own.close();
    await stream.until(() => stream.ended, 3000);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
