import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/server.ts';
import { requestPoll } from '../../workers/actions.ts';
import { queueNames } from '../../workers/queues.ts';
import { redisConnection } from '../../workers/runtime.ts';
import {
  createScratchDatabase,
  type PrivateRedis,
  type ScratchDatabase,
  spawnTracker,
  startPrivateRedis,
  stopProcess,
  type TrackerProcess,
} from '../support/processes.ts';
import { eventually } from '../support/services.ts';

/**
 * Faults during a backfill, with real processes: a `tracker worker` killed with SIGKILL, and Redis
 * restarted empty. Each test ends by comparing the database with the ground truth — the posts the
 * scenario's search returns, computed from the generated posts — none lost, none twice.
 */
const scenario = generateScenario({ seed: 21, accounts: 200, posts: 12_000 });
const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const tags = scenario.queries.map((query) => query.slice(1).toLowerCase());
const groundTruth = new Set(
  scenario.posts
    .filter(
      (post) =>
        post.kind !== 'repost' &&
        post.createdAt.getTime() <= now.getTime() - 30_000 &&
        post.hashtags.some((tag) => tags.includes(tag.toLowerCase())),
    )
    .map((post) => post.id),
);

/** A simulator, a private Redis, a scratch database with the campaign, and ticks sent every 300 ms. */
function useFaultBench() {
  const bench = {} as {
    simulator: Awaited<ReturnType<typeof startSimulator>>;
    redis: PrivateRedis;
    database: ScratchDatabase;
    queue: Queue;
    worker?: TrackerProcess;
  };
  const token = randomBytes(20).toString('hex');
  let ticking: NodeJS.Timeout;

  beforeAll(async () => {
    bench.simulator = await startSimulator({
      scenario,
      clock: new ManualClock(now),
      bearerToken: token,
      port: 0,
      // Ticks every 300 ms each cost a search request: on a loaded machine the test runs long enough
      // to spend a 15-minute window of the default tier, and would then wait for its reset.
      rateLimits: { search: 100_000 },
    });
    [bench.redis, bench.database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'summit',
        name: 'Summit',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: scenario.homeUsername,
        queries: scenario.queries,
      }),
      'summit.json',
    );
    const { campaignId } = await applyCampaign(bench.database.db, file, now);
    const connection = redisConnection(bench.redis.url);
    connection.on('error', () => {}); // the private Redis goes away on purpose
    bench.queue = new Queue(queueNames.search, { connection });
    // Ticks come from the test, as the admin "poll now" action sends them: schedules run on cron time.
    ticking = setInterval(() => void requestPoll({ search: bench.queue }, campaignId).catch(() => {}), 300);
  });

  afterAll(async () => {
    clearInterval(ticking);
    if (bench.worker) await stopProcess(bench.worker.child, 'SIGKILL');
    await bench.queue?.close();
    await bench.redis?.stop();
    await bench.simulator?.close();
    await bench.database?.drop();
  });

  const startWorker = () => {
    bench.worker = spawnTracker(['worker'], {
      DATABASE_URL: bench.database.url,
      REDIS_URL: bench.redis.url,
      X_BEARER_TOKEN: token,
      X_API_BASE_URL: bench.simulator.baseUrl,
      TRACKER_CLOCK: `fixed:${now.toISOString()}`,
      LOG_LEVEL: 'warn',
    });
    return bench.worker;
  };

  /** Resolves with the backfill's token once it differs from `previous` (the walk has moved). */
  const backfillMovedFrom = (previous: string | undefined, what: string) =>
    eventually(
      async () => {
        const row = await bench.database.db
          .selectFrom('campaign_queries')
          .select('backfill_token')
          .where('backfill_token', 'is not', null)
          .where('backfill_done', '=', false)
          .executeTakeFirst();
        return row?.backfill_token && row.backfill_token !== previous ? row.backfill_token : undefined;
      },
      {
        what: () => `${what} (worker said: ${bench.worker?.output() ?? ''})`,
        timeoutMs: 60_000,
        intervalMs: 20,
      },
    );

  const expectGroundTruth = async () => {
    await eventually(
      async () => {
        const queries = await bench.database.db
          .selectFrom('campaign_queries')
          .select('backfill_done')
          .execute();
        if (!queries.every((query) => query.backfill_done)) return undefined;
        const rows = await bench.database.db
          .selectFrom('campaign_posts')
          .select('post_id')
          .distinct()
          .execute();
        return rows.length === groundTruth.size ? true : undefined;
      },
      {
        what: () => `the backfill to finish (worker said: ${bench.worker?.output() ?? ''})`,
        // generous: on a loaded machine a restarted worker takes a while to pick the job up again
        timeoutMs: 150_000,
        intervalMs: 250,
      },
    );
    const linked = await bench.database.db.selectFrom('campaign_posts').select('post_id').execute();
    expect(new Set(linked.map((row) => row.post_id))).toEqual(groundTruth);
    const posts = await bench.database.db
      .selectFrom('posts')
      .select('id')
      .where('kind', '<>', 'repost')
      .execute();
    expect(posts.length).toBe(groundTruth.size);
    expect(new Set(posts.map((row) => row.id))).toEqual(groundTruth);
  };

  return { bench, startWorker, backfillMovedFrom, expectGroundTruth };
}

describe('a worker killed with SIGKILL mid-backfill, three times', () => {
  const { bench, startWorker, backfillMovedFrom, expectGroundTruth } = useFaultBench();

  test('ends with exactly the ground truth', async () => {
    const runningBackfills = async () =>
      (
        await bench.database.db
          .selectFrom('collection_runs')
          .select('id')
          .where('kind', '=', 'backfill')
          .where('outcome', '=', 'running')
          .execute()
      ).map((row) => row.id);
    let lastToken: string | undefined;
    // Runs the kills cut short: read once the worker is dead, when nothing can finish them any more.
    // (A kill can also fall between two runs, when one has just ended on a spent rate-limit window.)
    const cut = new Set<string>();
    for (let kill = 1; kill <= 3; kill++) {
      const worker = startWorker();
      lastToken = await backfillMovedFrom(lastToken, `the backfill to move before kill ${kill}`);
      await stopProcess(worker.child, 'SIGKILL');
      for (const id of await runningBackfills()) cut.add(id);
    }
    expect(cut.size).toBeGreaterThan(0);
    startWorker();
    await expectGroundTruth();
    // The killed runs could not write their end: the next attempt of their job closed each as
    // interrupted, so the operator sees what happened and nothing is left `running`. (The last run
    // may still be writing its end when the last page is in.)
    await eventually(async () => ((await runningBackfills()).length === 0 ? true : undefined), {
      what: 'every backfill run to be closed',
    });
    const closed = await bench.database.db
      .selectFrom('collection_runs')
      .select(['id', 'outcome', 'error'])
      .where('id', 'in', [...cut])
      .execute();
    expect(closed).toHaveLength(cut.size);
    for (const run of closed) expect(run).toMatchObject({ outcome: 'failed', error: interruptedRunError });
  }, 300_000);
});

describe('Redis restarted empty mid-backfill', () => {
  const { bench, startWorker, backfillMovedFrom, expectGroundTruth } = useFaultBench();

  test('the schedules come back by themselves and the data ends exactly right', async () => {
    startWorker();
    await backfillMovedFrom(undefined, 'the backfill to start');
    await bench.redis.restart();
    // Nothing lives only in Redis: the worker restores the schedules from the database (live and
    // nightly ticks on this queue).
    await eventually(async () => ((await bench.queue.getJobSchedulers()).length === 2 ? true : undefined), {
      what: () => `the job schedules to come back (worker said: ${bench.worker?.output() ?? ''})`,
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await expectGroundTruth();
  }, 300_000);
});
