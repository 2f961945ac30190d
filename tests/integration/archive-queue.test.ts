import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { requestBackfill, requestPoll } from '../../src/jobs/enqueue.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
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

/**
 * Issue 18: the full archive has a limit of its own (1 request/s, 300 per 15 minutes per app), so
 * its walk runs on a queue of its own (x-archive). While that queue waits for the archive's reset,
 * recent polling on x-search goes on; the walk never sends before the reset and ends at its start.
 */
const scenario = generateScenario({ seed: 5, accounts: 60, posts: 1_500 });
const now = new Date(scenario.window.end.getTime() + 30 * 24 * 3600_000);
const resetEveryMs = 4000;

describe('the archive walk on its own queue', { timeout: 120_000 }, () => {
  const token = randomBytes(16).toString('hex');
  let simulator: RunningSimulator;
  let t: TestDatabase;
  let runtime: CollectionRuntime;
  let campaignId: number;

  beforeAll(async () => {
    // One archive request per window: every archive page waits for a reset.
    simulator = await startSimulator({
      scenario,
      clock: new ManualClock(now),
      bearerToken: token,
      port: 0,
      rateLimitWindowMs: resetEveryMs,
      rateLimits: { searchAll: 1 },
    });
    t = await createTestDatabase();
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'summit',
        name: 'Summit',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: scenario.homeUsername,
        queries: scenario.queries,
        // No tick comes during the test: the test asks for each poll.
        schedule: { live: '0 3 * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' },
      }),
      'summit.json',
    );
    ({ campaignId } = await applyCampaign(t.db, file, now));
    runtime = await startCollection({
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock: new ManualClock(now),
      log: silentLog,
      redisUrl: testRedisUrl,
      prefix: uniqueName('bull'),
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await simulator?.close();
    await t?.drop();
  });

  test('polls go on while the archive waits for its reset; the walk ends, never early', async () => {
    // The first polls find nothing in recent search's 7 days: the window is the archive's alone.
    await requestPoll(runtime.queues, campaignId);
    await eventually(
      async () => {
        const queries = await t.db.selectFrom('campaign_queries').select('backfill_done').execute();
        return queries.every((query) => query.backfill_done) ? true : undefined;
      },
      { what: 'the first polls' },
    );
    const request = await requestBackfill(t.db, runtime.queues, campaignId);
    expect(request.backfills).toHaveLength(scenario.queries.length);

    // A poll asked for while the archive queue waits for its reset runs before that reset.
    const spent = await eventually(
      async () =>
        simulator.requestLog().find((entry) => entry.family === 'searchAll' && entry.remaining === 0),
      { what: 'an archive answer that spends its window' },
    );
    const searchesBefore = simulator.stats().requests.search;
    await requestPoll(runtime.queues, campaignId);
    await eventually(
      async () =>
        simulator.stats().requests.search >= searchesBefore + scenario.queries.length ? true : undefined,
      { what: 'the polls asked for during the wait' },
    );
    const polled = simulator
      .requestLog()
      .filter((entry) => entry.family === 'search')
      .at(-1);
    expect(defined(polled, 'poll').atMs).toBeLessThan(defined(spent.reset, 'reset') * 1000);

    await eventually(
      async () => {
        const queries = await t.db.selectFrom('campaign_queries').select('archive_done').execute();
        return queries.every((query) => query.archive_done) ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'every archive walk done' },
    );
    const archive = simulator.requestLog().filter((entry) => entry.family === 'searchAll');
    expect(archive.length).toBeGreaterThan(scenario.queries.length);
    for (let i = 1; i < archive.length; i++) {
      const before = defined(archive[i - 1], 'request');
      if (before.remaining === 0 || before.status === 429) {
        expect(defined(archive[i], 'request').atMs).toBeGreaterThanOrEqual(
          defined(before.reset, 'reset') * 1000,
        );
      }
    }
  });
});
