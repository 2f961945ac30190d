import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { requestPoll } from '../../src/jobs/enqueue.ts';
import { queueNames } from '../../src/jobs/queue-names.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { redisConnection } from '../../workers/runtime.ts';
import { createScratchDatabase, spawnTracker, startPrivateRedis, stopProcess } from '../support/processes.ts';

/**
 * Peak memory of a `tracker worker` process (VmHWM, read from /proc) while it backfills a scenario of
 * `postsCount` posts from the simulator: pages are stored one at a time, so the peak should not grow
 * with the size of the walk. The simulator runs in this process, not the worker's.
 * `BENCH_WORKER_NODE_OPTIONS` (e.g. `--max-old-space-size=64`) tells lazy garbage collection from a
 * leak: a leaking worker would die under a small heap.
 */
export async function benchWorkerMemory(postsCount: number): Promise<Record<string, string | number>> {
  const scenario = generateScenario({
    seed: 5,
    accounts: Math.max(200, Math.round(postsCount / 25)),
    posts: postsCount,
  });
  const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
  const token = randomBytes(20).toString('hex');
  // Limits no walk reaches: this measures memory, not waiting for a 15-minute window.
  const simulator = await startSimulator({
    scenario,
    clock: new ManualClock(now),
    bearerToken: token,
    rateLimits: { search: 1_000_000 },
  });
  const [redis, database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
  const connection = redisConnection(redis.url);
  const queue = new Queue(queueNames.search, { connection });
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'memory',
      name: 'Memory',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
    }),
    'memory.json',
  );
  const { campaignId } = await applyCampaign(database.db, file, now);
  const worker = spawnTracker(['worker'], {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    X_BEARER_TOKEN: token,
    X_API_BASE_URL: simulator.baseUrl,
    TRACKER_CLOCK: `fixed:${now.toISOString()}`,
    LOG_LEVEL: 'warn',
    ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
  });
  const ticking = setInterval(() => void requestPoll({ search: queue }, campaignId).catch(() => {}), 1000);
  const started = performance.now();
  try {
    let peakKb = 0;
    for (;;) {
      peakKb = Math.max(peakKb, vmHwmKb(worker.child.pid));
      const queries = await database.db.selectFrom('campaign_queries').select('backfill_done').execute();
      if (queries.every((query) => query.backfill_done)) break;
      if (worker.child.exitCode !== null) throw new Error(`the worker exited: ${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = await database.db
      .selectFrom('campaign_posts')
      .select((eb) => eb.fn.count<string>('post_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    return {
      'scenario posts': postsCount,
      'posts backfilled': Number(stored.n),
      seconds: seconds.toFixed(1),
      'posts/s': Math.round(Number(stored.n) / seconds),
      'worker peak RSS, VmHWM (MB; target < 250)': (peakKb / 1024).toFixed(0),
    };
  } finally {
    clearInterval(ticking);
    await stopProcess(worker.child, 'SIGKILL');
    await queue.close();
    connection.disconnect();
    await redis.stop();
    await simulator.close();
    await database.drop();
  }
}

function vmHwmKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0; // exited between two readings
  }
}
