import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { expectWorkersAlive, type FaultBench, startFaultBench } from '../support/fault-bench.ts';
import { stopProcess } from '../support/processes.ts';

/**
 * The X API misbehaving under a real `tracker worker`: 429 storms, 503 bursts, slow answers, dropped
 * connections, truncated JSON, and 200s with an entry missing required fields. Collection is delayed,
 * nothing is lost but the entries X itself sent broken, the run log says what happened, and the worker
 * keeps running. Ground truth: the posts the scenario's searches return (see support/fault-bench.ts).
 */
const scenario = generateScenario({ seed: 21, accounts: 200, posts: 3000 });

interface RunRow {
  kind: string;
  outcome: string;
  error: string | null;
}

const runLog = (bench: FaultBench) =>
  bench.database.db
    .selectFrom('collection_runs')
    .select(['kind', 'outcome', 'error'])
    .orderBy('id')
    .execute() as Promise<RunRow[]>;

describe('429 storms, 503 bursts, slow answers, dropped connections and truncated JSON', () => {
  let bench: FaultBench;
  beforeAll(async () => {
    bench = await startFaultBench({
      scenario,
      simulator: {
        faults: {
          // This seed puts each fault within the first 20 search requests (faults fall by request
          // order, whichever job sends it): the collection cannot finish before meeting them all.
          seed: 152,
          endpoints: ['search'],
          rateLimitStorms: { rate: 0.015, burst: 4, resetMs: 1500 },
          serviceUnavailable: { rate: 0.015, burst: 2 },
          slowResponses: { rate: 0.015, delayMs: 1000 },
          droppedConnections: { rate: 0.015 },
          truncatedJson: { rate: 0.015 },
        },
      },
    });
  });
  afterAll(() => bench?.close());

  test('delay collection but lose nothing; the run log names each fault', async () => {
    bench.startWorker();
    await bench.expectGroundTruth();
    expectWorkersAlive(bench);
    const { faults } = bench.simulator.stats();
    // the faults did happen
    expect(faults.stormed).toBeGreaterThan(0);
    expect(faults.unavailable).toBeGreaterThan(0);
    expect(faults.slowed).toBeGreaterThan(0);
    expect(faults.dropped).toBeGreaterThan(0);
    expect(faults.truncated).toBeGreaterThan(0);

    // Ticks keep coming: a poll may be in flight. A graceful stop lets it finish (or hand it back).
    await Promise.all(bench.workers.map((worker) => stopProcess(worker.child)));
    const runs = await runLog(bench);
    const withError = (outcome: string, pattern: RegExp) =>
      runs.filter((run) => run.outcome === outcome && pattern.test(run.error ?? ''));
    expect(withError('rate_limited', /XRateLimitError: .*429/).length).toBeGreaterThan(0);
    expect(withError('failed', /XTransientError: .*503/).length).toBeGreaterThan(0);
    expect(withError('failed', /XTransientError: .*unreachable/).length).toBeGreaterThan(0);
    expect(withError('failed', /XTransientError: .*(JSON|parse|partial)/i).length).toBeGreaterThan(0);
    // every failure is one of those, and each failed or paused run was followed by one that went on
    expect(
      runs.filter((run) => run.outcome === 'failed' && !/XTransientError/.test(run.error ?? '')),
    ).toEqual([]);
    expect(runs.filter((run) => run.outcome === 'running')).toEqual([]);
  }, 240_000);
});

describe('a 200 with an entry missing required fields, and fields X never documented', () => {
  let bench: FaultBench;
  beforeAll(async () => {
    bench = await startFaultBench({
      scenario,
      simulator: { faults: { seed: 4, endpoints: ['search'], malformedEntries: { rate: 0.2 } } },
    });
  });
  afterAll(() => bench?.close());

  test('the bad entry is logged and counted, the rest of its page is kept, the worker goes on', async () => {
    bench.startWorker();
    await bench.expectGroundTruth({ lost: () => bench.simulator.stats().faults.malformedIds });
    expectWorkersAlive(bench);
    const damaged = bench.simulator.stats().faults.malformedIds;
    expect(damaged.length).toBeGreaterThan(0);
    // the worker's log counts each one
    const logged = bench
      .output()
      .split('\n')
      .filter((line) => line.includes('could not be stored'))
      .map((line) => JSON.parse(line.replace(/^\[worker \d+\] /, '')) as { skipped: number });
    expect(logged.reduce((sum, line) => sum + line.skipped, 0)).toBe(damaged.length);
    // so does the run log
    const { skipped } = await bench.database.db
      .selectFrom('collection_runs')
      .select((eb) => eb.fn.sum<string>('entries_skipped').as('skipped'))
      .executeTakeFirstOrThrow();
    expect(Number(skipped)).toBe(damaged.length);
    // The worker keeps polling (and reading timelines) meanwhile: runs still in flight are not outcomes.
    const finished = (await runLog(bench)).filter((run) => run.outcome !== 'running');
    expect(finished.filter((run) => run.outcome !== 'ok')).toEqual([]);
  }, 240_000);
});
