import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { activeQueries } from '../../src/db/campaigns.ts';
import { jobNames } from '../../src/jobs/queue-names.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  defined,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

const scenario = generateScenario({ seed: 5, accounts: 60, posts: 600 });
const afterSummit = new Date(scenario.window.end.getTime() + 6 * 3600_000);

/**
 * Through the workers: a job the budget stops completes (no retry, no failure) with the reason, and
 * the follower snapshots of the watchlist still run.
 */
describe('the budget in the workers', { timeout: 60_000 }, () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let runtime: CollectionRuntime;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    t = await createTestDatabase();
    runtime = await startCollection({
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
      log: silentLog,
      redisUrl: testRedisUrl,
      prefix: uniqueName('bull'),
      schedules: false,
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await simulator?.close();
    await t?.drop();
  });

  test('a poll over budget completes with the reason, unretried; snapshots of the watchlist go on', async () => {
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'tight',
        name: 'Tight',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: scenario.homeUsername,
        queries: scenario.queries,
        watchlist: scenario.watchlist,
        // Less than one page's worst case ($1.50): no search can be afforded.
        budget: { monthly_usd: 1 },
      }),
      'tight.json',
    );
    const { campaignId } = await applyCampaign(t.db, file, clock.now());
    const query = defined((await activeQueries(t.db, campaignId))[0], 'a query');

    const ended = async (job: Job) => {
      const state = await job.getState();
      return state === 'completed' || state === 'failed' ? state : undefined;
    };
    // One after the other, so that the poll's message is exact (nothing spent yet).
    const poll = await runtime.queues.search.add(jobNames.poll, { campaignId, queryId: query.id });
    expect(await eventually(() => ended(poll), { what: 'the poll job to end' })).toBe('completed');
    const snapshot = await runtime.queues.users.add(jobNames.snapshot, { campaignId });
    expect(await eventually(() => ended(snapshot), { what: 'the snapshot job to end' })).toBe('completed');

    // A cent a day for each watched account (home and watchlist), today to the month's end.
    const daysLeft = 32 - clock.now().getUTCDate();
    const reserve = `$${((1 + scenario.watchlist.length) * daysLeft * 0.01).toFixed(2)}`;
    const pollJob = defined(await runtime.queues.search.getJob(defined(poll.id, 'job id')), 'poll job');
    expect(pollJob.attemptsMade).toBeLessThanOrEqual(1);
    expect(pollJob.returnvalue).toEqual({
      paused:
        `monthly budget of $1.00 reached ($0.00 spent, ${reserve} kept for the watchlist's follower ` +
        'snapshots): collection paused until 2017-01-01; raise budget.monthly_usd to resume',
    });
    expect(simulator.stats().requests.search).toBe(0);

    const runs = await t.db
      .selectFrom('collection_runs')
      .select(['kind', 'outcome', 'requests', 'cost_usd'])
      .orderBy('id')
      .execute();
    expect(runs).toContainEqual({ kind: 'poll', outcome: 'budget', requests: 0, cost_usd: '0.000000' });
    // The watchlist was read, in one request; spending stays within the budget.
    expect(runs).toContainEqual(expect.objectContaining({ kind: 'snapshot', outcome: 'ok', requests: 1 }));
    expect(runs.reduce((sum, run) => sum + Number(run.cost_usd), 0)).toBeLessThanOrEqual(1);
    const snapshots = await t.db
      .selectFrom('account_snapshots')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(snapshots.n)).toBe(1 + scenario.watchlist.length);
  });
});
