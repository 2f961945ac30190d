import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { unresolvedHandles } from '../../src/db/unresolved-handles.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

const scenario = generateScenario({ seed: 5, accounts: 60, posts: 600 });
const afterSummit = new Date(scenario.window.end.getTime() + 6 * 3600_000);

/**
 * Issue 18: a start does not wait for the hourly snapshot schedule. The home and watchlist
 * accounts are resolved and read at once, through the queues, and their timelines started.
 */
describe('at every start', { timeout: 90_000 }, () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let runtime: CollectionRuntime;
  let campaignId: number;

  beforeAll(async () => {
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    t = await createTestDatabase();
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'summit',
        name: 'Summit',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: scenario.homeUsername,
        queries: scenario.queries,
        watchlist: [...scenario.watchlist, 'No_Such_Handle'],
        // Hourly snapshots and ticks that will not come during the test.
        schedule: { live: '0 3 * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' },
      }),
      'summit.json',
    );
    ({ campaignId } = await applyCampaign(t.db, file, clock.now()));
    runtime = await startCollection({
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
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

  test('home and watchlist resolved with a first follower reading, their timelines read', async () => {
    const accounts = await eventually(
      async () => {
        const rows = await t.db
          .selectFrom('campaign_accounts')
          .select(['username', 'account_id', 'timeline_newest_id'])
          .where('campaign_id', '=', campaignId)
          .execute();
        const known = rows.filter((row) => row.username !== 'No_Such_Handle');
        return known.every((row) => row.account_id && row.timeline_newest_id) ? rows : undefined;
      },
      { timeoutMs: 60_000, what: 'every watched account resolved and its timeline read' },
    );
    expect(accounts.find((row) => row.username === 'No_Such_Handle')?.account_id).toBeNull();
    // X's answer is kept beside the handle, for /ops and the next `campaign apply`.
    expect(await unresolvedHandles(t.db, campaignId)).toEqual([
      {
        campaignId,
        slug: 'summit',
        username: 'No_Such_Handle',
        role: 'peer',
        problem: 'Could not find user with usernames: [No_Such_Handle].',
      },
    ]);
    const readings = await t.db.selectFrom('account_snapshots').select('account_id').distinct().execute();
    expect(new Set(readings.map((row) => row.account_id))).toEqual(
      new Set(accounts.flatMap((row) => (row.account_id ? [row.account_id] : []))),
    );
    expect(readings).toHaveLength(1 + scenario.watchlist.length);
    expect(simulator.stats().requests.timelines).toBeGreaterThanOrEqual(1 + scenario.watchlist.length);
  });
});
