import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { blueskySource } from '../../src/collect/source.ts';
import { interruptedRunError } from '../../src/db/collection-runs.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { BlueskySimulatorOptions } from '../../src/simulator/bluesky/app.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import { type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * Bluesky collection under faults, through the real client and BullMQ: the stand-in limiting search
 * hard, and the workers stopped mid-backfill (their job left locked, as a killed process leaves it,
 * though the page in flight still ends in this process) then started again. Each ends with exactly the scenario's campaign posts: none lost, none twice.
 */
function useBench(limits: Partial<Omit<BlueskySimulatorOptions, 'scenario' | 'clock'>>) {
  const state = {} as {
    standIn: StandIn;
    t: TestDatabase;
    now: Date;
    runtimes: CollectionRuntime[];
    start(): Promise<CollectionRuntime>;
  };
  const prefix = uniqueName('bull');
  beforeAll(async () => {
    state.standIn = await startStandIn({ name: 'faults', seed: 83, accounts: 40, posts: 900 }, limits);
    const { scenario } = state.standIn;
    state.now = new Date(scenario.window.end.getTime() + 3600_000);
    state.standIn.clock.set(state.now);
    state.t = await createTestDatabase();
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'faults',
        name: 'Faults',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: { name: 'Open Data Forum', bluesky: scenario.homeHandle },
        queries: { bluesky: scenario.queries },
      }),
      'faults.json',
    );
    await applyCampaign(state.t.db, file, state.now);
    state.runtimes = [];
    state.start = async () => {
      const runtime = await startCollection({
        db: state.t.db,
        x: new XClient({ bearerToken: 'unused', baseUrl: 'http://127.0.0.1:9' }),
        sources: [blueskySource(state.standIn.client())],
        clock: state.standIn.clock,
        log: silentLog,
        redisUrl: testRedisUrl,
        prefix,
        schedules: { replay: { speed: 1e9, minEveryMs: 300 } },
      });
      state.runtimes.push(runtime);
      return runtime;
    };
  });
  afterAll(async () => {
    const last = state.runtimes?.at(-1);
    for (const queue of [...Object.values(last?.queues ?? {}), ...(last?.networkQueues ?? [])]) {
      await queue.obliterate({ force: true });
    }
    for (const runtime of state.runtimes ?? []) await runtime.close().catch(() => undefined);
    await state.standIn?.close();
    await state.t?.drop();
  });
  return state;
}

/** The campaign's posts stored in its window, by URI; fails on a post stored or linked twice. */
async function storedCampaignPosts(t: TestDatabase, window: { start: Date; end: Date }) {
  const { rows } = await sql<{ native_id: string; links: string }>`
    select p.native_id, count(*) as links from campaign_posts l join posts p on p.id = l.post_id
    where p.network = 'bluesky' and p.kind <> 'repost' and not p.deleted
      and p.created_at >= ${window.start} and p.created_at < ${window.end}
    group by p.native_id, l.query_id`.execute(t.db);
  return rows;
}

async function expectGroundTruth(state: ReturnType<typeof useBench>) {
  const { scenario } = state.standIn;
  const expected = scenario.truth
    .campaignPosts({ from: scenario.window.start, to: scenario.window.end, visibleAt: state.now })
    .sort();
  const uris = await eventually(
    async () => {
      const rows = await storedCampaignPosts(state.t, scenario.window);
      const found = [...new Set(rows.map((row) => row.native_id))].sort();
      return found.length === expected.length ? found : undefined;
    },
    { what: 'every campaign post to be stored', timeoutMs: 90_000, intervalMs: 250 },
  );
  expect(uris).toEqual(expected);
  // The backfill ends with one more slice that brings nothing new.
  await eventually(
    async () => {
      const queries = await state.t.db.selectFrom('campaign_queries').select('cursor').execute();
      return queries.every((query) => (query.cursor as { backfillDone?: boolean }).backfillDone) || undefined;
    },
    { what: 'every backfill to end', timeoutMs: 30_000 },
  );
}

describe('the stand-in limiting search to 2 requests in 2 seconds', () => {
  const state = useBench({ searchDepth: 100, rateLimits: { service: 2 }, rateLimitWindowMs: 2000 });

  test('nothing is lost, and each wait is in the run log', async () => {
    await state.start();
    await expectGroundTruth(state);
    const limited = await state.t.db
      .selectFrom('collection_runs')
      .select(['kind', 'error'])
      .where('outcome', '=', 'rate_limited')
      .execute();
    expect(limited.length).toBeGreaterThan(0);
    for (const run of limited) {
      expect(run.kind).toMatch(/^bluesky:/);
      expect(run.error).toMatch(/^BlueskyRateLimitError: .* \(waiting until \d{4}-\d\d-\d\dT/);
    }
  }, 120_000);
});

describe('the workers stopped mid-backfill, twice, then started again', () => {
  const state = useBench({ searchDepth: 100, rateLimits: { service: 6 }, rateLimitWindowMs: 1000 });

  test('ends with exactly the ground truth, no run left running', async () => {
    const walk = async () => {
      const { rows } = await sql<{ walk: unknown }>`select cursor -> 'backfill' as walk
        from campaign_queries where cursor -> 'backfill' is not null`.execute(state.t.db);
      return JSON.stringify(rows);
    };
    let last = '';
    for (let stop = 1; stop <= 2; stop++) {
      const runtime = await state.start();
      const before = last;
      last = await eventually(
        async () => {
          const now = await walk();
          return now !== before && now !== '[]' ? now : undefined;
        },
        { what: `the backfill to move before stop ${stop}`, timeoutMs: 60_000, intervalMs: 50 },
      );
      // Forced: the job in flight is neither completed nor failed; its lock expires, as a killed
      // worker's does, and the next workers take it over.
      await Promise.all(runtime.workers.map((worker) => worker.close(true)));
    }
    await state.start();
    await expectGroundTruth(state);
    // A run its workers left behind is closed as interrupted when its job is taken over.
    const runs = await eventually(
      async () => {
        const rows = await state.t.db
          .selectFrom('collection_runs')
          .select(['outcome', 'error'])
          .where('kind', '=', 'bluesky:backfill')
          .execute();
        return rows.every((run) => run.outcome !== 'running') ? rows : undefined;
      },
      { what: 'every backfill run to be closed', timeoutMs: 40_000 },
    );
    expect(runs.filter((run) => run.outcome === 'failed' && run.error !== interruptedRunError)).toEqual([]);
  }, 180_000);
});
