import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { expectWorkersAlive, type FaultBench, startFaultBench } from '../support/fault-bench.ts';
import { eventually } from '../support/services.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/**
 * PostgreSQL unreachable for a minute in the middle of a backfill: a real `tracker worker` reaches the
 * database through a TCP proxy that the test cuts (every connection reset, new ones refused) and
 * restores. Jobs fail, are retried with backoff, then succeed; nothing is half-written. Ground truth:
 * the posts the scenario's searches return (see support/fault-bench.ts), compared id by id.
 */
const outageMs = 60_000;

describe('PostgreSQL unreachable for a minute mid-backfill', () => {
  let bench: FaultBench;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    bench = await startFaultBench({
      scenario: generateScenario({ seed: 21, accounts: 200, posts: 12_000 }),
      databaseUrl: (url) => url.replace('127.0.0.1:5432', `127.0.0.1:${proxy.port}`),
      tickEveryMs: 1000,
    });
  });

  afterAll(async () => {
    await bench?.close();
    await proxy?.close();
  });

  test('jobs retry with backoff, then the database ends exactly at the ground truth', async () => {
    const worker = bench.startWorker();
    await bench.backfillMovedFrom(undefined, 'the backfill to start');
    proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    expect(proxy.refused).toBeGreaterThan(0); // the worker kept trying
    proxy.restore();

    await bench.expectGroundTruth();
    expectWorkersAlive(bench);
    // The worker's log says what happened: jobs failed on the lost database, and were attempted again.
    const failures = worker
      .output()
      .split('\n')
      .filter((line) => line.includes('"job failed"'))
      .map((line) => JSON.parse(line) as { job: string; attempts: number; err: string });
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((f) => /ECONNRESET|ECONNREFUSED|Connection terminated|connect/i.test(f.err))).toBe(
      true,
    );
    expect(failures.some((f) => f.attempts >= 2)).toBe(true);
    // The run log: the backfill run cut off could not write its end (the database was gone); the
    // job's next attempt closed it as interrupted, and the runs after the outage finished the walk.
    // No run is left `running`.
    const runs = await eventually(
      async () => {
        const rows = await bench.database.db
          .selectFrom('collection_runs')
          .select(['kind', 'outcome', 'job', 'error'])
          .where('kind', '=', 'backfill')
          .orderBy('id')
          .execute();
        return rows.some((run) => run.outcome === 'running') ? undefined : rows;
      },
      { what: 'every backfill run to be closed', timeoutMs: 30_000 },
    );
    expect(runs.some((run) => run.outcome === 'ok')).toBe(true);
    expect(runs.some((run) => run.outcome === 'failed' && run.error === interruptedRunError)).toBe(true);
    expect(runs.every((run) => run.job?.startsWith('x-search:backfill-'))).toBe(true);
  }, 300_000);
});
