import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
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
 * A worker process killed with SIGKILL in the middle of a backfill, three times, then left to
 * finish: the database must end with exactly the posts the scenario's search returns — the ground
 * truth computed from the generated posts — none lost, none twice.
 */
describe('a worker killed mid-backfill', () => {
  const scenario = generateScenario({ seed: 21, accounts: 200, posts: 12_000 });
  const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
  const clock = new ManualClock(now);
  const token = randomBytes(20).toString('hex');
  const tags = scenario.queries.map((query) => query.slice(1).toLowerCase());
  const expected = new Set(
    scenario.posts
      .filter(
        (post) =>
          post.kind !== 'repost' &&
          post.createdAt.getTime() <= now.getTime() - 30_000 &&
          post.hashtags.some((tag) => tags.includes(tag.toLowerCase())),
      )
      .map((post) => post.id),
  );
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let redis: PrivateRedis;
  let database: ScratchDatabase;
  let queue: Queue;
  let ticking: NodeJS.Timeout;
  let worker: TrackerProcess | undefined;
  let campaignId: number;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    [redis, database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
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
    campaignId = (await applyCampaign(database.db, file, now)).campaignId;
    // Ticks come from the test, as the admin "poll now" action sends them: schedules run on cron time.
    const connection = redisConnection(redis.url);
    connection.on('error', () => {}); // the private Redis stops before this connection notices
    queue = new Queue(queueNames.search, { connection });
    ticking = setInterval(() => void requestPoll({ search: queue }, campaignId).catch(() => {}), 300);
  });

  afterAll(async () => {
    clearInterval(ticking);
    if (worker) await stopProcess(worker.child, 'SIGKILL');
    await queue?.close();
    await redis?.stop();
    await simulator?.close();
    await database?.drop();
  });

  const startWorker = () =>
    spawnTracker(['worker'], {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      X_BEARER_TOKEN: token,
      X_API_BASE_URL: simulator.baseUrl,
      TRACKER_CLOCK: `fixed:${now.toISOString()}`,
      LOG_LEVEL: 'warn',
    });

  const backfillToken = async () =>
    (
      await database.db
        .selectFrom('campaign_queries')
        .select('backfill_token')
        .where('backfill_token', 'is not', null)
        .where('backfill_done', '=', false)
        .executeTakeFirst()
    )?.backfill_token ?? undefined;

  test('ends with exactly the ground truth', async () => {
    let lastToken: string | undefined;
    for (let kill = 1; kill <= 3; kill++) {
      worker = startWorker();
      const current = worker;
      lastToken = await eventually(
        async () => {
          const seen = await backfillToken();
          return seen && seen !== lastToken ? seen : undefined;
        },
        {
          what: `the backfill to move (kill ${kill}; worker said: ${current.output()})`,
          timeoutMs: 60_000,
          intervalMs: 20,
        },
      );
      await stopProcess(current.child, 'SIGKILL');
    }

    worker = startWorker();
    const stored = await eventually(
      async () => {
        const queries = await database.db.selectFrom('campaign_queries').select('backfill_done').execute();
        if (!queries.every((query) => query.backfill_done)) return undefined;
        const rows = await database.db.selectFrom('campaign_posts').select('post_id').execute();
        const ids = new Set(rows.map((row) => row.post_id));
        return ids.size === expected.size ? rows : undefined;
      },
      { what: 'the backfill to finish', timeoutMs: 90_000, intervalMs: 250 },
    );
    const ids = stored.map((row) => row.post_id);
    expect(new Set(ids)).toEqual(expected);
    const posts = await database.db.selectFrom('posts').select('id').where('kind', '<>', 'repost').execute();
    expect(new Set(posts.map((row) => row.id))).toEqual(expected);
    // The killed runs stay in the run log as never finished: the operator sees what happened.
    const interrupted = await database.db
      .selectFrom('collection_runs')
      .select('id')
      .where('kind', '=', 'backfill')
      .where('outcome', '=', 'running')
      .execute();
    expect(interrupted.length).toBeGreaterThanOrEqual(3);
  }, 240_000);
});
