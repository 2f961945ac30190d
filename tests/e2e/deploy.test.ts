import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { findCampaign } from '../../src/db/campaigns.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { type Metric, type Scope, scopes } from '../../src/rank/metrics.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import {
  createScratchDatabase,
  type PrivateRedis,
  type ScratchDatabase,
  spawnTracker,
  startPrivateRedis,
  stopProcess,
  type TrackerProcess,
} from '../support/processes.ts';
import { defined, eventually } from '../support/services.ts';

/**
 * Issue 18, criterion 5: deployed as a user deploys it — `tracker migrate`, `tracker campaign
 * apply`, `tracker start` with a token — against the X simulator with X's limits (Pro tier, 15-minute
 * windows) and an hourly snapshot schedule, six hours after the event. Within a minute of the start
 * the home and watchlist accounts are resolved, read once and their timelines read; a handle added
 * later that does not resolve is one line at `campaign apply` and on /ops; once every query's walk
 * back is done, every board equals the scenario's ground truth.
 */
const scenario = generateScenario({ seed: 5, accounts: 60, posts: 600 });
const now = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const token = randomBytes(20).toString('hex');

let simulator: RunningSimulator;
let database: ScratchDatabase;
let redis: PrivateRedis;
let dir: string;
let tracker: TrackerProcess | undefined;

const env = () => ({
  DATABASE_URL: database.url,
  REDIS_URL: redis.url,
  X_BEARER_TOKEN: token,
  X_API_BASE_URL: simulator.baseUrl,
  TRACKER_CLOCK: `fixed:${now.toISOString()}`,
  PORT: '0',
  LOG_LEVEL: 'warn',
});

async function cli(args: string[]): Promise<string> {
  const run = spawnTracker(args, env());
  const [code] = await once(run.child, 'exit');
  expect(code, run.output()).toBe(0);
  return run.output();
}

async function writeCampaign(watchlist: string[]): Promise<string> {
  const file = join(dir, 'summit.json');
  await writeFile(
    file,
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist,
      // Ticks every minute; follower readings hourly, none due during the test.
      schedule: { live: '* * * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' },
    }),
  );
  return file;
}

beforeAll(async () => {
  simulator = await startSimulator({ scenario, clock: new ManualClock(now), bearerToken: token, port: 0 });
  database = await createScratchDatabase();
  redis = await startPrivateRedis();
  dir = await mkdtemp(join(tmpdir(), 'tracker-deploy-'));
}, 60_000);

afterAll(async () => {
  if (tracker) await stopProcess(tracker.child);
  await redis?.stop();
  await simulator?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('a deployment with a token, six hours after the event', { timeout: 300_000 }, () => {
  test('resolves and reads the watched accounts at once, names a bad handle, ends at the ground truth', async () => {
    expect(await cli(['migrate'])).toContain('database schema is up to date');
    const applied = await cli(['campaign', 'apply', await writeCampaign(scenario.watchlist)]);
    expect(applied).toContain('created campaign summit');
    expect(applied).toContain('no worker is running; they are resolved when the workers start');

    const running = spawnTracker(['start'], env());
    tracker = running;
    const url = await eventually(
      async () => running.output().match(/campaign-tracker is up: (http:\/\/\S+)/)?.[1],
      {
        timeoutMs: 60_000,
        what: () => `the start in: ${running.output()}`,
      },
    );
    const upAt = Date.now();

    const db = database.db;
    const campaign = defined(await findCampaign(db, 'summit'), 'campaign');
    const watched = await eventually(
      async () => {
        const rows = await db
          .selectFrom('campaign_accounts')
          .select(['username', 'account_id', 'timeline_newest_id'])
          .where('campaign_id', '=', campaign.id)
          .execute();
        return rows.every((row) => row.account_id && row.timeline_newest_id) ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'every watched account resolved and its timeline read' },
    );
    expect(Date.now() - upAt).toBeLessThan(60_000);
    expect(watched).toHaveLength(1 + scenario.watchlist.length);
    const readings = await db
      .selectFrom('account_snapshots')
      .select('account_id')
      .where(
        'account_id',
        'in',
        watched.map((row) => row.account_id as string),
      )
      .distinct()
      .execute();
    expect(readings).toHaveLength(watched.length);

    // A handle added while the workers run: the apply waits for their lookup and names it.
    const reapplied = await cli([
      'campaign',
      'apply',
      await writeCampaign([...scenario.watchlist, 'No_Such_Handle']),
    ]);
    expect(reapplied).toContain('+ @No_Such_Handle');
    expect(reapplied).toMatch(
      /! @No_Such_Handle does not resolve on X \(.+\): check it in the campaign file/,
    );
    const ops = await (await fetch(`${url}/ops`)).text();
    expect(ops).toContain('@No_Such_Handle (summit) does not resolve on X');

    await eventually(
      async () => {
        const queries = await db
          .selectFrom('campaign_queries')
          .select(['backfill_done', 'archive_done'])
          .where('campaign_id', '=', campaign.id)
          .execute();
        return queries.every((query) => query.backfill_done && query.archive_done) ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, what: 'every walk back done' },
    );
    // Polls that were queued before the walk back ended may still be storing their page.
    let differ: string[] = [];
    await eventually(
      async () => {
        differ = await boardsDiffer(campaign);
        return differ.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: () => `boards equal to the truth: ${differ.join('; ')}` },
    );
  });
});

/**
 * The boards that differ from the truth: every metric in both scopes over the campaign window,
 * followers up to now (their only reading is taken after the event). Not compared: reposts in scope
 * `all` (X's search returns no reposts: only the watched accounts' are read, from their timelines), and
 * growth, which needs a reading at the window's start that a deployment after the event cannot take
 * (`tracker import followers` can).
 */
async function boardsDiffer(
  campaign: NonNullable<Awaited<ReturnType<typeof findCampaign>>>,
): Promise<string[]> {
  const window = { from: scenario.window.start, to: scenario.window.end };
  const boards: Array<[Metric, Scope, { from: Date; to: Date }]> = [
    ...(['posts', 'engagement', 'impressions', 'mentions'] as const).flatMap((metric) =>
      scopes.map((scope) => [metric, scope, window] as [Metric, Scope, typeof window]),
    ),
    ['reposts', 'watchlist', window],
    ...scopes.map(
      (scope) => ['followers', scope, { from: window.from, to: now }] as [Metric, Scope, typeof window],
    ),
  ];
  const differ: string[] = [];
  for (const [metric, scope, { from, to }] of boards) {
    const board = await leaderboard(database.db, campaign, { metric, scope, from, to, limit: 1000 });
    const truth = scenario.truth
      .leaderboard(metric, { scope, from, to, observedAt: now })
      .filter((row) => metric === 'followers' || row.value > 0);
    const shown = board.rows.map((row) => `${row.rank} ${row.username} ${row.value}`).join(', ');
    const expected = truth.map((row) => `${row.rank} ${row.username} ${row.value}`).join(', ');
    if (shown !== expected) differ.push(`${metric}/${scope}: ${shown} ≠ ${expected}`);
  }
  return differ;
}
