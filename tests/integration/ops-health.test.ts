import { Redis } from 'ioredis';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { connectQueues, type DashboardQueues } from '../../dashboard/server/queue-inspection.ts';
import type { ReadinessJson } from '../../dashboard/server/readiness.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Database } from '../../src/db/schema.ts';
import { readXCallCounters, recordXResponse } from '../../src/jobs/x-call-counters.ts';
import { freePort } from '../../src/redis.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

// The summit's second day: the campaign is live, polled every 2 minutes.
const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const prefix = uniqueName('bull');
let t: TestDatabase;
let collection: { queues: DashboardQueues; close(): Promise<void> };
let app: Dashboard;
let redis: Redis;
let campaignId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  const file = parseCampaignFile(
    `slug: ogp16
name: OGP
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
schedule: { live: "*/2 * * * *", snapshots: "0 * * * *", nightly: "0 2 * * *" }
`,
    'ogp16.yaml',
  );
  campaignId = (await applyCampaign(t.db, file, new Date('2016-12-07T00:00:00Z'))).campaignId;
  collection = connectQueues(testRedisUrl, { prefix });
  redis = new Redis(testRedisUrl);
  app = createDashboard({
    db: t.db,
    clock,
    demo: false,
    log: silentLog,
    redisUrl: testRedisUrl,
    queues: collection.queues,
  });
});

afterAll(async () => {
  for (const queue of Object.values(collection?.queues ?? {})) await queue.obliterate({ force: true });
  await redis?.del(`${prefix}:x-metrics:requests`, `${prefix}:x-metrics:rate-limit-remaining`);
  redis?.disconnect();
  await collection?.close();
  await app?.close();
  await t?.drop();
});

const run = (kind: string, outcome: string, startedAt: string, seconds: number | null, requests: number) => ({
  campaign_id: campaignId,
  kind,
  target: '#OGP16',
  started_at: new Date(startedAt),
  finished_at: seconds === null ? null : new Date(new Date(startedAt).getTime() + seconds * 1000),
  requests,
  posts_new: requests * 10,
  posts_updated: 0,
  outcome: outcome as 'ok',
  error: outcome === 'failed' ? 'X answered 503' : null,
});

async function readyz(on: Dashboard = app) {
  const response = await on.request('/readyz');
  return { status: response.status, body: (await response.json()) as ReadinessJson };
}

describe('/healthz and /readyz', () => {
  test('/healthz: the process answers', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('ready when PostgreSQL and Redis answer; no collection yet is reported, not failing', async () => {
    const { status, body } = await readyz();
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.failing).toEqual([]);
    expect(body.checks.postgres.status).toBe('ok');
    expect(body.checks.redis.status).toBe('ok');
    expect(body.checks.lastCollection).toEqual({
      ageSeconds: null,
      stale: false,
      campaigns: [{ campaign: 'ogp16', ageSeconds: null, staleAfterSeconds: 360, stale: false }],
    });
  });

  test('reports the age of the last successful run; stale after 3 live periods, still ready', async () => {
    await t.db
      .insertInto('collection_runs')
      .values([
        run('poll', 'ok', '2016-12-08T10:49:00Z', 60, 2), // ended 10 minutes before "now" (11:00Z)
        run('poll', 'failed', '2016-12-08T10:58:00Z', 1, 1),
      ])
      .execute();
    const stale = await readyz();
    expect(stale.status).toBe(200);
    expect(stale.body.checks.lastCollection).toMatchObject({ ageSeconds: 600, stale: true });
    clock.set('2016-12-08T11:55:00+01:00'); // 5 minutes after the run: within 3 × 2 minutes
    const fresh = await readyz();
    expect(fresh.body.checks.lastCollection).toMatchObject({ ageSeconds: 300, stale: false });
    clock.set('2016-12-08T12:00:00+01:00');
  });

  test('503 naming PostgreSQL when it does not answer', async () => {
    const deadPort = await freePort();
    const deadDb = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({
          connectionString: `postgres://root@127.0.0.1:${deadPort}/test`,
          connectionTimeoutMillis: 1000,
        }),
      }),
    });
    const broken = createDashboard({ db: deadDb, clock, demo: false, redisUrl: testRedisUrl });
    try {
      const { status, body } = await readyz(broken);
      expect(status).toBe(503);
      expect(body.status).toBe('not_ready');
      expect(body.failing).toEqual(['postgres']);
      expect(body.checks.postgres.status).toBe('failing');
      expect(body.checks.redis.status).toBe('ok');
      expect(body.error?.code).toBe('not_ready');
      expect(body.error?.message).toMatch(/^postgres: /);
      expect(JSON.stringify(body)).not.toMatch(/\bat \S+:\d+|node_modules/);
      // Metrics still answer, and say which source is away.
      const metrics = await (await broken.request('/metrics')).text();
      expect(metrics).toContain('tracker_metrics_source_up{source="postgres"} 0');
    } finally {
      await broken.close();
      await deadDb.destroy();
    }
  });

  test('503 naming Redis when it does not answer', async () => {
    const broken = createDashboard({
      db: t.db,
      clock,
      demo: false,
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
    });
    try {
      const { status, body } = await readyz(broken);
      expect(status).toBe(503);
      expect(body.failing).toEqual(['redis']);
      expect(body.checks.postgres.status).toBe('ok');
    } finally {
      await broken.close();
    }
  });
});

/** `name{labels} value` per sample line, `# HELP`/`# TYPE` before each family (text format 0.0.4). */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.]+(?:e[+-]?\d+)?|NaN|[+-]Inf)$/;
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'summary']).toContain(meta[3]);
        typed.add(meta[2] as string);
      }
      continue;
    }
    const match = sample.exec(line);
    expect(match, `not a Prometheus sample line: ${line}`).not.toBeNull();
    const name = match?.[1] as string;
    expect(typed.has(name.replace(/_(sum|count)$/, '')) || typed.has(name), `no TYPE for ${name}`).toBe(true);
    samples.set(`${name}${match?.[2] ?? ''}`, Number(match?.[3]));
  }
  return samples;
}

describe('/metrics', () => {
  test('X requests by endpoint and status, as the workers record them', async () => {
    await recordXResponse(redis, prefix, {
      endpoint: '/2/tweets/search/recent',
      status: 200,
      rateLimitRemaining: 449,
    });
    await recordXResponse(redis, prefix, {
      endpoint: 'https://api.x.com/2/tweets/search/recent?query=%23OGP16',
      status: 200,
      rateLimitRemaining: 448,
    });
    await recordXResponse(redis, prefix, { endpoint: '/2/users/783214/tweets', status: 429 });
    expect(await readXCallCounters(redis, prefix)).toEqual({
      requests: expect.arrayContaining([
        { endpoint: '/2/tweets/search/recent', status: 200, count: 2 },
        { endpoint: '/2/users/:id/tweets', status: 429, count: 1 },
      ]),
      rateLimitRemaining: [{ endpoint: '/2/tweets/search/recent', remaining: 448 }],
    });
  });

  test('parses as Prometheus text: queues, runs, X requests, rate limit', async () => {
    await collection.queues.search.add('tick', { campaignId, reason: 'manual' });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parsePrometheus(await response.text());
    const value = (key: string) => samples.get(key);
    expect(value('tracker_queue_jobs{queue="x-search",state="waiting"}')).toBe(1);
    expect(value('tracker_queue_jobs{queue="x-users",state="failed"}')).toBe(0);
    expect(value('tracker_queue_paused{queue="x-tweets"}')).toBe(0);
    expect(value('tracker_collection_runs_total{kind="poll",outcome="ok"}')).toBe(1);
    expect(value('tracker_collection_runs_total{kind="poll",outcome="failed"}')).toBe(1);
    expect(value('tracker_collection_run_duration_seconds_sum{kind="poll",outcome="ok"}')).toBe(60);
    expect(value('tracker_collection_run_duration_seconds_count{kind="poll",outcome="ok"}')).toBe(1);
    expect(value('tracker_collection_x_requests_total{kind="poll"}')).toBe(3);
    expect(value('tracker_collection_last_success_age_seconds{campaign="ogp16"}')).toBe(600);
    expect(value('tracker_collection_stale{campaign="ogp16"}')).toBe(1);
    expect(value('tracker_x_requests_total{endpoint="/2/tweets/search/recent",status="200"}')).toBe(2);
    expect(value('tracker_x_requests_total{endpoint="/2/users/:id/tweets",status="429"}')).toBe(1);
    expect(value('tracker_x_rate_limit_remaining{endpoint="/2/tweets/search/recent"}')).toBe(448);
    for (const source of ['postgres', 'queues', 'x_metrics']) {
      expect(value(`tracker_metrics_source_up{source="${source}"}`)).toBe(1);
    }
  });
});
