import { sql } from 'kysely';
import type { Clock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { readXCallCounters } from '../../src/jobs/x-call-counters.ts';
import type { OpsRedis } from './ops-redis.ts';
import type { MetricFamily } from './prometheus-format.ts';
import type { DashboardQueues } from './queue-inspection.ts';
import { collectionAges } from './readiness.ts';
import { withTimeout } from './timeout.ts';

const readTimeoutMs = 2000;

/** The job states BullMQ counts (`Queue.getJobCounts`), one gauge each per queue. */
const jobStates = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'paused',
  'waiting-children',
  'failed',
  'completed',
] as const;

export interface PrometheusSources {
  db: Db;
  clock: Clock;
  queues: DashboardQueues | undefined;
  redis: OpsRedis | undefined;
  /** the workers' BullMQ prefix: the X counters live under it (src/jobs/x-call-counters.ts) */
  prefix: string;
}

/**
 * Everything /metrics shows. A source that does not answer is left out and flagged by
 * `tracker_metrics_source_up` (0): a scrape never fails because PostgreSQL or Redis is away.
 */
export async function collectPrometheusFamilies(sources: PrometheusSources): Promise<MetricFamily[]> {
  const up: Record<string, number> = {};
  const part = async (name: string, read: () => Promise<MetricFamily[]>) => {
    try {
      const families = await withTimeout(read(), readTimeoutMs, `answer from ${name}`);
      up[name] = 1;
      return families;
    } catch {
      up[name] = 0;
      return [];
    }
  };
  const parts = await Promise.all([
    part('postgres', () => runFamilies(sources.db, sources.clock)),
    sources.queues ? part('queues', () => queueFamilies(sources.queues as DashboardQueues)) : [],
    sources.redis && sources.queues
      ? part('x_metrics', () => xFamilies(sources.redis as OpsRedis, sources.prefix))
      : [],
  ]);
  return [
    ...parts.flat(),
    {
      name: 'tracker_metrics_source_up',
      help: 'Whether each source of these metrics answered this scrape (1) or not (0).',
      type: 'gauge',
      samples: Object.entries(up).map(([source, value]) => ({ labels: { source }, value })),
    },
  ];
}

async function queueFamilies(queues: DashboardQueues): Promise<MetricFamily[]> {
  const states = await Promise.all(
    Object.values(queues).map(async (queue) => ({
      name: queue.name,
      counts: await queue.getJobCounts(...jobStates),
      paused: await queue.isPaused(),
    })),
  );
  return [
    {
      name: 'tracker_queue_jobs',
      help: 'Jobs in each BullMQ queue, by state.',
      type: 'gauge',
      samples: states.flatMap(({ name, counts }) =>
        jobStates.map((state) => ({ labels: { queue: name, state }, value: counts[state] ?? 0 })),
      ),
    },
    {
      name: 'tracker_queue_paused',
      help: 'Whether the queue is paused (1) or not (0).',
      type: 'gauge',
      samples: states.map(({ name, paused }) => ({ labels: { queue: name }, value: paused ? 1 : 0 })),
    },
  ];
}

/** The run log (collection_runs): every job writes one row, whichever process ran it. */
async function runFamilies(db: Db, clock: Clock): Promise<MetricFamily[]> {
  const rows = await db
    .selectFrom('collection_runs')
    .select([
      'kind',
      'outcome',
      sql<number>`count(*)::int`.as('runs'),
      sql<string>`coalesce(sum(requests), 0)`.as('requests'),
      sql<string>`coalesce(sum(posts_new), 0)`.as('posts_new'),
      sql<number>`count(finished_at)::int`.as('finished'),
      sql<number>`coalesce(extract(epoch from sum(finished_at - started_at)), 0)::float8`.as('seconds'),
    ])
    .groupBy(['kind', 'outcome'])
    .orderBy('kind')
    .orderBy('outcome')
    .execute();
  const ages = await collectionAges(db, clock.now());
  const byKind = new Map<string, { requests: number; postsNew: number }>();
  for (const row of rows) {
    const kind = byKind.get(row.kind) ?? { requests: 0, postsNew: 0 };
    kind.requests += Number(row.requests);
    kind.postsNew += Number(row.posts_new);
    byKind.set(row.kind, kind);
  }
  return [
    {
      name: 'tracker_collection_runs_total',
      help: 'Collection job runs, by kind and outcome (a running row counts as outcome "running").',
      type: 'counter',
      samples: rows.map((row) => ({ labels: { kind: row.kind, outcome: row.outcome }, value: row.runs })),
    },
    {
      name: 'tracker_collection_run_duration_seconds',
      help: 'Duration of the finished collection runs, by kind and outcome.',
      type: 'summary',
      samples: rows.flatMap((row) => [
        { suffix: '_sum', labels: { kind: row.kind, outcome: row.outcome }, value: Number(row.seconds) },
        { suffix: '_count', labels: { kind: row.kind, outcome: row.outcome }, value: row.finished },
      ]),
    },
    {
      name: 'tracker_collection_x_requests_total',
      help: 'X API requests made by collection runs, by kind of run.',
      type: 'counter',
      samples: [...byKind].map(([kind, totals]) => ({ labels: { kind }, value: totals.requests })),
    },
    {
      name: 'tracker_collection_posts_new_total',
      help: 'Posts stored for the first time by collection runs, by kind of run.',
      type: 'counter',
      samples: [...byKind].map(([kind, totals]) => ({ labels: { kind }, value: totals.postsNew })),
    },
    {
      name: 'tracker_collection_last_success_age_seconds',
      help: "Seconds since each campaign's last successful collection run (application clock).",
      type: 'gauge',
      samples: ages.flatMap((age) =>
        age.ageSeconds === null ? [] : [{ labels: { campaign: age.campaign }, value: age.ageSeconds }],
      ),
    },
    {
      name: 'tracker_collection_stale',
      help: 'Whether a live campaign has gone more than 3 live periods without a successful run.',
      type: 'gauge',
      samples: ages.map((age) => ({ labels: { campaign: age.campaign }, value: age.stale ? 1 : 0 })),
    },
  ];
}

async function xFamilies(redis: OpsRedis, prefix: string): Promise<MetricFamily[]> {
  const metrics = await redis.run((client) => readXCallCounters(client, prefix), readTimeoutMs);
  const byName = <T extends { endpoint: string }>(rows: T[]) =>
    [...rows].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  return [
    {
      name: 'tracker_x_requests_total',
      help: 'Answers from the X API, by endpoint and HTTP status (0: no answer).',
      type: 'counter',
      samples: byName(metrics.requests).map((row) => ({
        labels: { endpoint: row.endpoint, status: String(row.status) },
        value: row.count,
      })),
    },
    {
      name: 'tracker_x_rate_limit_remaining',
      help: 'The last x-rate-limit-remaining X sent, by endpoint.',
      type: 'gauge',
      samples: byName(metrics.rateLimitRemaining).map((row) => ({
        labels: { endpoint: row.endpoint },
        value: row.remaining,
      })),
    },
  ];
}
