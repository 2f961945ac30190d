import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type FaultBench, startFaultBench } from '../support/fault-bench.ts';
import { stopProcess } from '../support/processes.ts';
import { eventually } from '../support/services.ts';

/**
 * Faults during a backfill, with real processes: a `tracker worker` killed with SIGKILL, and Redis
 * restarted empty. Each test ends by comparing the database with the ground truth — the posts the
 * scenario's search returns, computed from the generated posts — none lost, none twice.
 */
const scenario = generateScenario({ seed: 21, accounts: 200, posts: 12_000 });

/** A simulator, a private Redis, a scratch database with the campaign, and ticks every 300 ms. */
function useFaultBench() {
  const state = {} as { bench: FaultBench };
  beforeAll(async () => {
    state.bench = await startFaultBench({ scenario });
  });
  afterAll(async () => {
    await state.bench?.close();
  });
  return state;
}

describe('a worker killed with SIGKILL mid-backfill, three times', () => {
  const state = useFaultBench();

  test('ends with exactly the ground truth', async () => {
    const { bench } = state;
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
      const worker = bench.startWorker();
      lastToken = await bench.backfillMovedFrom(lastToken, `the backfill to move before kill ${kill}`);
      await stopProcess(worker.child, 'SIGKILL');
      for (const id of await runningBackfills()) cut.add(id);
    }
    expect(cut.size).toBeGreaterThan(0);
    bench.startWorker();
    await bench.expectGroundTruth();
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
  const state = useFaultBench();

  test('the schedules come back by themselves and the data ends exactly right', async () => {
    const { bench } = state;
    bench.startWorker();
    await bench.backfillMovedFrom(undefined, 'the backfill to start');
    await bench.redis.restart();
    // Nothing lives only in Redis: the worker restores the schedules from the database (live and
    // nightly ticks on this queue).
    await eventually(async () => ((await bench.queue.getJobSchedulers()).length === 2 ? true : undefined), {
      what: () => `the job schedules to come back (worker said: ${bench.output()})`,
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await bench.expectGroundTruth();
  }, 300_000);
});
