import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import { campaignPostIds } from '../support/ground-truth.ts';
import { createScratchDatabase, type ScratchDatabase, spawnTracker } from '../support/processes.ts';

/**
 * `tracker collect --backfill` against an X API that answers 503 bursts: the command retries with
 * backoff, as the workers' jobs do, and ends with the ground truth — every post the scenario's
 * searches return, once.
 */
const scenario = generateScenario({ seed: 5, accounts: 60, posts: 1_500 });
const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const token = randomBytes(20).toString('hex');
let simulator: RunningSimulator;
let database: ScratchDatabase;

beforeAll(async () => {
  simulator = await startSimulator({
    scenario,
    clock: new ManualClock(now),
    bearerToken: token,
    port: 0,
    // Seeded: the same searches fail on every run, two in a row each time.
    faults: { seed: 3, endpoints: ['search'], serviceUnavailable: { rate: 0.1, burst: 2 } },
  });
  database = await createScratchDatabase();
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
  await applyCampaign(database.db, file, now);
}, 60_000);

afterAll(async () => {
  await simulator?.close();
  await database?.drop();
});

describe('tracker collect on a flaky X API', () => {
  test('503 bursts are retried with backoff; the backfill ends at the ground truth', async () => {
    const run = spawnTracker(['collect', 'summit', '--backfill'], {
      DATABASE_URL: database.url,
      X_BEARER_TOKEN: token,
      X_API_BASE_URL: simulator.baseUrl,
      TRACKER_CLOCK: `fixed:${now.toISOString()}`,
      LOG_LEVEL: 'warn',
    });
    const [code] = await once(run.child, 'exit');
    expect(code, run.output()).toBe(0);
    expect(simulator.stats().faults.unavailable).toBeGreaterThan(0);
    expect(run.output()).toMatch(/503.*: retrying in 2 s/);

    const expected = campaignPostIds(scenario, now);
    const linked = await database.db.selectFrom('campaign_posts').select('post_id').distinct().execute();
    expect(new Set(linked.map((row) => row.post_id))).toEqual(expected);
  }, 120_000);
});
