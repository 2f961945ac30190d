import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { requestPoll } from '../../src/jobs/enqueue.ts';
import { queueNames } from '../../src/jobs/queue-names.ts';
import type { Scenario } from '../../src/simulator/types.ts';
import type { SimulatorServerOptions } from '../../src/simulator/x/server.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import { redisConnection } from '../../workers/runtime.ts';
import { campaignPostIds } from './ground-truth.ts';
import {
  createScratchDatabase,
  type PrivateRedis,
  type ScratchDatabase,
  spawnTracker,
  startPrivateRedis,
  stopProcess,
  type TrackerProcess,
} from './processes.ts';
import { eventually } from './services.ts';

/**
 * What the fault tests share: a simulator on a fixed instant (six hours after the scenario's window),
 * a private Redis, a scratch database holding the campaign, `tracker worker` processes, and ticks sent
 * by the test (as the admin "poll now" action sends them: cron schedules run on real time).
 *
 * The ground truth is the set of posts the scenario's searches return at that instant, computed from
 * the generated posts alone: not reposts (search no longer returns them), created at least 30 s before
 * (search's indexing lag), carrying one of the campaign's hashtags.
 */
export interface FaultBench {
  scenario: Scenario;
  now: Date;
  groundTruth: ReadonlySet<string>;
  simulator: RunningSimulator;
  redis: PrivateRedis;
  database: ScratchDatabase;
  campaignId: number;
  queue: Queue;
  workers: TrackerProcess[];
  /** everything the workers printed, for failure messages and log checks */
  output(): string;
  startWorker(env?: Record<string, string>): TrackerProcess;
  /** Resolves with the backfill's token once it differs from `previous` (the walk has moved). */
  backfillMovedFrom(previous: string | undefined, what: string): Promise<string>;
  /**
   * Waits until every query is walked back and polled, then compares the database with the ground
   * truth: every post once, none else. `lost`: ids X sent broken, which may be missing (and only those).
   */
  expectGroundTruth(options?: { timeoutMs?: number; lost?: () => readonly string[] }): Promise<void>;
  close(): Promise<void>;
}

export interface FaultBenchOptions {
  scenario: Scenario;
  /** simulator options beyond the scenario, clock and token: faults, tier, rate limits */
  simulator?: Omit<SimulatorServerOptions, 'scenario' | 'clock' | 'bearerToken'>;
  /** watchlist of the campaign (default none: only searches) */
  watchlist?: string[];
  /** how often the test sends a tick (default 300 ms) */
  tickEveryMs?: number;
  /** the DATABASE_URL workers get (a proxy in front of the scratch database); default: the database's */
  databaseUrl?: (url: string) => string;
}

export async function startFaultBench(options: FaultBenchOptions): Promise<FaultBench> {
  const { scenario } = options;
  const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
  const token = randomBytes(20).toString('hex');
  const simulator = await startSimulator({
    ...options.simulator,
    // Each tick costs a search request: on a loaded machine a test runs long enough to spend a
    // 15-minute window of the default tier, and then waits for its reset. Faults here are injected,
    // not earned by running out of requests.
    rateLimits: { search: 100_000, ...options.simulator?.rateLimits },
    scenario,
    clock: new ManualClock(now),
    bearerToken: token,
    port: 0,
  });
  const [redis, database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist: options.watchlist ?? [],
    }),
    'summit.json',
  );
  const { campaignId } = await applyCampaign(database.db, file, now);
  const connection = redisConnection(redis.url);
  connection.on('error', () => {}); // a private Redis may go away on purpose
  const queue = new Queue(queueNames.search, { connection });
  const ticking = setInterval(
    () => void requestPoll({ search: queue }, campaignId).catch(() => {}),
    options.tickEveryMs ?? 300,
  );
  const workers: TrackerProcess[] = [];
  const groundTruth = campaignPostIds(scenario, now);
  const output = () => workers.map((worker, i) => `[worker ${i + 1}] ${worker.output()}`).join('\n');
  const workerUrl = options.databaseUrl?.(database.url) ?? database.url;

  return {
    scenario,
    now,
    groundTruth,
    simulator,
    redis,
    database,
    campaignId,
    queue,
    workers,
    output,
    startWorker(env = {}) {
      const worker = spawnTracker(['worker'], {
        DATABASE_URL: workerUrl,
        REDIS_URL: redis.url,
        X_BEARER_TOKEN: token,
        X_API_BASE_URL: simulator.baseUrl,
        TRACKER_CLOCK: `fixed:${now.toISOString()}`,
        LOG_LEVEL: 'warn',
        ...env,
      });
      workers.push(worker);
      return worker;
    },
    backfillMovedFrom: (previous, what) =>
      eventually(
        async () => {
          const row = await database.db
            .selectFrom('campaign_queries')
            .select('backfill_token')
            .where('backfill_token', 'is not', null)
            .where('backfill_done', '=', false)
            .executeTakeFirst();
          return row?.backfill_token && row.backfill_token !== previous ? row.backfill_token : undefined;
        },
        { what: () => `${what} (workers said: ${output()})`, timeoutMs: 60_000, intervalMs: 20 },
      ),
    async expectGroundTruth({ timeoutMs = 150_000, lost } = {}) {
      const missing = async () => {
        const linked = await database.db.selectFrom('campaign_posts').select('post_id').execute();
        const stored = new Set(linked.map((row) => row.post_id));
        const allowed = new Set(lost?.() ?? []);
        return [...groundTruth].filter((id) => !stored.has(id) && !allowed.has(id));
      };
      await eventually(
        async () => {
          const queries = await database.db
            .selectFrom('campaign_queries')
            .select(['backfill_done', 'newest_id'])
            .execute();
          if (!queries.every((query) => query.backfill_done && query.newest_id)) return undefined;
          return (await missing()).length === 0 ? true : undefined;
        },
        { what: () => `collection to finish (workers said: ${output()})`, timeoutMs, intervalMs: 250 },
      );
      expect(await missing()).toEqual([]);
      // The campaign's posts (reposts come from timelines, which search's ground truth leaves out):
      // none twice (one row per id), none that is not in the ground truth.
      const posts = await database.db
        .selectFrom('posts as p')
        .select('p.id')
        .where('p.kind', '<>', 'repost')
        .where((eb) =>
          eb.exists(
            eb.selectFrom('campaign_posts as cp').select('cp.post_id').whereRef('cp.post_id', '=', 'p.id'),
          ),
        )
        .execute();
      const stored = new Set(posts.map((row) => row.id));
      expect(stored.size).toBe(posts.length);
      expect([...stored].filter((id) => !groundTruth.has(id))).toEqual([]);
      if (!lost) expect(stored).toEqual(groundTruth);
      // nothing half-written: every post stored came with its author and its metrics reading
      const incomplete = await database.db
        .selectFrom('posts as p')
        .leftJoin('accounts as a', 'a.id', 'p.author_id')
        .select('p.id')
        .where((eb) =>
          eb.or([
            eb('a.id', 'is', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('post_metric_snapshots as s')
                  .select('s.post_id')
                  .whereRef('s.post_id', '=', 'p.id'),
              ),
            ),
          ]),
        )
        .execute();
      expect(incomplete).toEqual([]);
    },
    async close() {
      clearInterval(ticking);
      for (const worker of workers) await stopProcess(worker.child, 'SIGKILL');
      await queue.close();
      await redis.stop();
      await simulator.close();
      await database.drop();
    },
  };
}

/** Every worker still running (not exited): faults must not take a worker down. */
export function expectWorkersAlive(bench: FaultBench): void {
  for (const worker of bench.workers.filter((w) => !w.child.killed)) {
    expect(
      { exitCode: worker.child.exitCode, signal: worker.child.signalCode },
      `a worker exited: ${worker.output()}`,
    ).toEqual({ exitCode: null, signal: null });
  }
}
