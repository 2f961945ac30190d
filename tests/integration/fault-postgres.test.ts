import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { expectWorkersAlive, type FaultBench, startFaultBench } from '../support/fault-bench.ts';
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
    // The run log: the backfill run cut off never finished (the database was gone when it failed),
    // and the runs after the outage finished the walk.
    const runs = await bench.database.db
      .selectFrom('collection_runs')
      .select(['kind', 'outcome', 'started_at', 'error'])
      .where('kind', '=', 'backfill')
      .orderBy('id')
      .execute();
    expect(runs.some((run) => run.outcome === 'ok')).toBe(true);
    expect(runs.filter((run) => run.outcome !== 'ok').length).toBeGreaterThan(0);
  }, 300_000);
});
