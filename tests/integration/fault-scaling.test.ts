import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { jobNames, queueNames } from '../../src/jobs/queue-names.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { redisConnection } from '../../workers/runtime.ts';
import { expectWorkersAlive, type FaultBench, startFaultBench } from '../support/fault-bench.ts';
import { stopProcess } from '../support/processes.ts';
import { eventually } from '../support/services.ts';

/**
 * Horizontal scaling and crashes during follower snapshots, with real `tracker worker` processes on one
 * Redis and one database. Ground truth: the posts the scenario's searches return (support/fault-bench.ts),
 * and for each snapshot tick one reading of the home account and of each watchlist account, with the
 * followers the scenario gives them at the simulator's instant.
 *
 * Snapshot ticks are sent by the test as a job scheduler sends them (one job per tick, its own id):
 * campaign schedules are cron, in minutes of real time. Workers run on a replay clock at speed 1, so
 * each tick's readings get their own instant.
 */
const scenario = generateScenario({ seed: 21, accounts: 200, posts: 4000 });
const watched = [scenario.homeUsername, ...scenario.watchlist];

function useSnapshotBench(simulator?: Parameters<typeof startFaultBench>[0]['simulator']) {
  const state = {} as { bench: FaultBench; users: Queue; ticks: string[] };
  beforeAll(async () => {
    state.bench = await startFaultBench({ scenario, watchlist: scenario.watchlist, simulator });
    const connection = redisConnection(state.bench.redis.url);
    connection.on('error', () => {});
    state.users = new Queue(queueNames.users, { connection });
    state.ticks = [];
  });
  afterAll(async () => {
    await state.users?.close();
    await state.bench?.close();
  });
  const env = () => ({ TRACKER_CLOCK: `replay:${state.bench.now.toISOString()}@1` });
  const tick = async () => {
    const id = `tick-${state.ticks.length + 1}`;
    state.ticks.push(id);
    await state.users.add(
      jobNames.snapshot,
      { campaignId: state.bench.campaignId },
      { jobId: id, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
    );
    return id;
  };
  /** readings of the watched accounts, by tick */
  const readings = async () => {
    const rows = await state.bench.database.db
      .selectFrom('account_snapshots as s')
      .innerJoin('accounts as a', 'a.id', 's.account_id')
      .select(['s.tick', 'a.username', 's.followers_count', 's.observed_at'])
      .where('a.username', 'in', watched)
      .execute();
    return rows;
  };
  /** Waits for every tick to be read, then checks each one: one reading per watched account, right. */
  const expectOneReadingPerTick = async () => {
    await eventually(
      async () => {
        const ticks = new Set((await readings()).map((row) => row.tick?.split(':')[1]));
        return state.ticks.every((id) => ticks.has(id)) ? true : undefined;
      },
      { what: () => `every tick's readings (workers said: ${state.bench.output()})`, timeoutMs: 60_000 },
    );
    // a tick taken over after a crash finishes its accounts: wait for its job to complete
    await eventually(
      async () => {
        const states = await Promise.all(state.ticks.map((id) => state.users.getJobState(id)));
        return states.every((s) => s === 'completed') ? true : undefined;
      },
      {
        what: () => `the snapshot jobs to complete (workers said: ${state.bench.output()})`,
        timeoutMs: 60_000,
      },
    );
    const rows = await readings();
    const followersNow = new Map(
      watched.map((username) => [username, scenario.truth.followerSeries(username, [state.bench.now])[0]]),
    );
    for (const id of state.ticks) {
      const ofTick = rows.filter((row) => row.tick?.split(':')[1] === id);
      expect(ofTick.map((row) => row.username).sort(), `readings of ${id}`).toEqual([...watched].sort());
      for (const row of ofTick) expect(row.followers_count).toBe(followersNow.get(row.username));
    }
    // nothing outside the ticks, and each tick's readings at their own instant
    expect(rows.filter((row) => !row.tick)).toEqual([]);
    expect(new Set(rows.map((row) => row.observed_at.getTime())).size).toBeGreaterThanOrEqual(
      state.ticks.length,
    );
  };
  return { state, env, tick, readings, expectOneReadingPerTick };
}

describe('two workers on the same queues', () => {
  const { state, env, tick, expectOneReadingPerTick } = useSnapshotBench();

  test('every post is stored once, every snapshot tick is read once', async () => {
    const { bench } = state;
    bench.startWorker(env());
    bench.startWorker(env());
    for (let i = 0; i < 6; i++) {
      await tick();
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    await bench.expectGroundTruth();
    await expectOneReadingPerTick();
    expectWorkersAlive(bench);
    // The end of the walk back queues one more snapshot, for the top authors' first reading
    // (workers/processors.ts): let it finish too before counting the runs (delayed jobs are the
    // schedulers' next ticks).
    await eventually(
      async () => {
        const counts = await state.users.getJobCounts('active', 'waiting', 'prioritized');
        return Object.values(counts).every((count) => count === 0) ? true : undefined;
      },
      { what: () => 'the snapshot queue to be idle', timeoutMs: 60_000 },
    );
    const snapshotRuns = await bench.database.db
      .selectFrom('collection_runs')
      .select(['outcome', 'job'])
      .where('kind', '=', 'snapshot')
      .execute();
    // none failed, and each tick's job ran once (the start, the walk back's end and an hourly cron
    // tick add snapshot runs of their own jobs)
    expect(snapshotRuns.filter((run) => run.outcome !== 'ok')).toEqual([]);
    for (const id of state.ticks) {
      expect(
        snapshotRuns.filter((run) => run.job?.endsWith(`:${id}`)),
        `runs of ${id}`,
      ).toHaveLength(1);
    }
  }, 180_000);
});

describe('a worker killed with SIGKILL mid-snapshot, three times in a row', () => {
  // Slow user lookups hold each snapshot run open long enough to kill it between its two requests.
  const { state, env, tick, readings, expectOneReadingPerTick } = useSnapshotBench({
    faults: { endpoints: ['users'], slowResponses: { rate: 1, delayMs: 1200 } },
  });

  test('each tick is read once all the same, and the posts end at the ground truth', async () => {
    const { bench } = state;
    // the backfill first, so that the top authors (read by every tick) are settled
    bench.startWorker(env());
    await bench.expectGroundTruth();
    for (let kill = 1; kill <= 3; kill++) {
      const worker = bench.workers.at(-1);
      const id = await tick();
      // the tick's first lookup (home and watchlist) is stored: kill during its second (top authors)
      await eventually(
        async () => ((await readings()).some((row) => row.tick?.split(':')[1] === id) ? true : undefined),
        {
          what: () => `${id}'s first readings (workers said: ${bench.output()})`,
          timeoutMs: 60_000,
          intervalMs: 20,
        },
      );
      if (worker) await stopProcess(worker.child, 'SIGKILL');
      bench.startWorker(env());
    }
    await tick();
    await expectOneReadingPerTick();
    expectWorkersAlive(bench);
    // the killed runs could not write their end: the attempt that took their job over closed them as
    // interrupted, and finished their ticks
    const runs = await bench.database.db
      .selectFrom('collection_runs')
      .select(['outcome', 'error'])
      .where('kind', '=', 'snapshot')
      .execute();
    expect(runs.filter((run) => run.outcome === 'running')).toEqual([]);
    expect(runs.filter((run) => run.error === interruptedRunError).length).toBe(3);
    expect(runs.filter((run) => run.outcome === 'ok').length).toBeGreaterThanOrEqual(state.ticks.length);
    await bench.expectGroundTruth();
  }, 240_000);
});
