import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { jobNames, sourceQueueNames, type TickData } from '../../src/jobs/queue-names.ts';
import { redisConnection } from '../../workers/runtime.ts';
import { APP_PASSWORD, type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';
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
 * Bluesky as tests/integration/crash-backfill.test.ts does X: real `tracker worker` processes on
 * the Bluesky stand-in over HTTP (search cursors that stop 100 hits deep, 6 searches a second),
 * killed with SIGKILL three times while the walk back moves, then started again. The database must
 * end with exactly the scenario's campaign posts — none lost, none linked twice — and every run the
 * kills cut short closed as interrupted, none left `running`.
 */
describe('a Bluesky worker killed with SIGKILL mid-backfill, three times', () => {
  let standIn: StandIn;
  let redis: PrivateRedis;
  let database: ScratchDatabase;
  let ticks: Queue;
  let ticking: NodeJS.Timeout;
  let campaignId: number;
  let now: Date;
  const workers: TrackerProcess[] = [];

  beforeAll(async () => {
    standIn = await startStandIn(
      { name: 'crash', seed: 97, accounts: 60, posts: 1500 },
      { searchDepth: 100, rateLimits: { service: 6 }, rateLimitWindowMs: 1000 },
    );
    const { scenario } = standIn;
    now = new Date(scenario.window.end.getTime() + 3600_000);
    standIn.clock.set(now);
    [redis, database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'crash',
        name: 'Crash',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: { name: 'Open Data Forum', bluesky: scenario.homeHandle },
        queries: { bluesky: scenario.queries },
      }),
      'crash.json',
    );
    campaignId = (await applyCampaign(database.db, file, now)).campaignId;
    // Ticks as the schedules send them (cron runs on real time): every 300 ms, one at a time.
    const connection = redisConnection(redis.url);
    connection.on('error', () => {});
    ticks = new Queue(sourceQueueNames('bluesky').search, { connection });
    ticking = setInterval(() => {
      void ticks
        .add(jobNames.tick, { campaignId, reason: 'manual' } satisfies TickData, {
          jobId: `test-tick-${campaignId}`,
          removeOnComplete: true,
          removeOnFail: true,
        })
        .catch(() => {});
    }, 300);
  });

  afterAll(async () => {
    clearInterval(ticking);
    for (const worker of workers) await stopProcess(worker.child, 'SIGKILL');
    await ticks?.close();
    await redis?.stop();
    await standIn?.close();
    await database?.drop();
  });

  const startWorker = () => {
    const worker = spawnTracker(['worker'], {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      // The campaign follows nothing on X: this client is never called.
      X_BEARER_TOKEN: randomBytes(20).toString('hex'),
      X_API_BASE_URL: 'http://127.0.0.1:9/2/',
      BLUESKY_IDENTIFIER: standIn.sim.identifier,
      BLUESKY_APP_PASSWORD: APP_PASSWORD,
      BLUESKY_SERVICE: standIn.sim.baseUrl,
      BLUESKY_PUBLIC_API: standIn.sim.baseUrl,
      TRACKER_CLOCK: `fixed:${now.toISOString()}`,
      LOG_LEVEL: 'warn',
    });
    workers.push(worker);
    return worker;
  };
  const said = () => workers.map((worker, i) => `[worker ${i + 1}] ${worker.output()}`).join('\n');

  /** The backfill walk's position (the query's cursor), as the page that moved it stored it. */
  const walk = async () => {
    const { rows } = await sql<{ walk: unknown }>`select cursor -> 'backfill' as walk
      from campaign_queries where cursor -> 'backfill' is not null`.execute(database.db);
    return JSON.stringify(rows);
  };
  const runningBackfills = async () =>
    (
      await database.db
        .selectFrom('collection_runs')
        .select('id')
        .where('kind', '=', 'bluesky:backfill')
        .where('outcome', '=', 'running')
        .execute()
    ).map((row) => row.id);

  test('ends with exactly the ground truth, every cut run closed as interrupted', async () => {
    const cut = new Set<string>();
    let last = '';
    for (let kill = 1; kill <= 3; kill++) {
      const worker = startWorker();
      const before = last;
      last = await eventually(
        async () => {
          const position = await walk();
          return position !== before && position !== '[]' ? position : undefined;
        },
        {
          what: () => `the walk back to move before kill ${kill} (${said()})`,
          timeoutMs: 90_000,
          intervalMs: 20,
        },
      );
      await stopProcess(worker.child, 'SIGKILL');
      for (const id of await runningBackfills()) cut.add(id);
    }
    expect(cut.size).toBeGreaterThan(0);
    startWorker();

    const { scenario } = standIn;
    const expected = scenario.truth
      .campaignPosts({ from: scenario.window.start, to: scenario.window.end, visibleAt: now })
      .sort();
    expect(expected.length).toBeGreaterThan(300);
    const stored = async () => {
      const { rows } = await sql<{ native_id: string; links: number }>`
        select p.native_id, count(*)::int as links from campaign_posts l join posts p on p.id = l.post_id
        where p.network = 'bluesky' and p.kind <> 'repost' and not p.deleted
          and p.created_at >= ${scenario.window.start} and p.created_at < ${scenario.window.end}
        group by p.native_id, l.query_id`.execute(database.db);
      return rows;
    };
    const found = await eventually(
      async () => {
        const done = await database.db.selectFrom('campaign_queries').select('cursor').execute();
        if (!done.every((query) => (query.cursor as { backfillDone?: boolean }).backfillDone))
          return undefined;
        const rows = await stored();
        return new Set(rows.map((row) => row.native_id)).size === expected.length ? rows : undefined;
      },
      { what: () => `the walk back to end with every post (${said()})`, timeoutMs: 150_000, intervalMs: 250 },
    );
    // Each post once per query that matched it: a page re-read after a kill links nothing twice.
    expect(found.filter((row) => row.links !== 1)).toEqual([]);
    expect([...new Set(found.map((row) => row.native_id))].sort()).toEqual(expected);

    // The kills left their runs open: the next attempt of each job closed them as interrupted.
    await eventually(async () => ((await runningBackfills()).length === 0 ? true : undefined), {
      what: 'every backfill run to be closed',
      timeoutMs: 60_000,
    });
    const closed = await database.db
      .selectFrom('collection_runs')
      .select(['outcome', 'error'])
      .where('id', 'in', cut.size > 0 ? [...cut] : ['0'])
      .execute();
    expect(closed).toHaveLength(cut.size);
    for (const run of closed) expect(run).toMatchObject({ outcome: 'failed', error: interruptedRunError });
    expect(standIn.unexpected).toEqual([]);
  }, 400_000);
});
