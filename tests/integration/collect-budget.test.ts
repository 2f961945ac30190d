import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { campaignBudgetStatus } from '../../src/budget/status.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { backfillQuery } from '../../src/collect/backfill-query.ts';
import { BudgetReachedError } from '../../src/collect/budget.ts';
import type { CollectContext } from '../../src/collect/context.ts';
import { pollQuery } from '../../src/collect/poll-query.ts';
import { refreshPostMetrics } from '../../src/collect/refresh-metrics.ts';
import { snapshotWatchlist } from '../../src/collect/snapshot-accounts.ts';
import { collectOnce } from '../../src/commands/collect.ts';
import { loadConfig } from '../../src/config.ts';
import { activeQueries } from '../../src/db/campaigns.ts';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { XResponseEvent } from '../../src/networks/x/types.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testDatabaseUrl,
  uniqueName,
} from '../support/services.ts';

const scenario = generateScenario({ seed: 11, accounts: 120, posts: 3000 });
const afterSummit = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const dayMs = 24 * 3600_000;
/** 06:00 UTC on the UTC day after `at`. */
const nextUtcMorning = (at: Date) =>
  new Date(Math.floor(at.getTime() / dayMs) * dayMs + dayMs + 6 * 3600_000);

const campaignFile = (budgetUsd?: number) =>
  parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist: scenario.watchlist,
      ...(budgetUsd === undefined ? {} : { budget: { monthly_usd: budgetUsd } }),
    }),
    'summit.json',
  );

/** A simulator billing like X's pay-per-use tier, on the test's clock (its UTC days are ours). */
async function payPerUse(clock: ManualClock, token: string, monthlyPostCap?: number) {
  return startSimulator({
    scenario,
    clock,
    bearerToken: token,
    port: 0,
    tier: 'pay-per-use',
    realNow: () => clock.now().getTime(),
    ...(monthlyPostCap === undefined ? {} : { monthlyPostCap }),
  });
}

const runs = (db: Db) => db.selectFrom('collection_runs').selectAll().orderBy('id').execute();
const totals = async (db: Db) => {
  const all = await runs(db);
  return {
    postsBilled: all.reduce((sum, run) => sum + run.posts_billed, 0),
    usersBilled: all.reduce((sum, run) => sum + run.users_billed, 0),
    costUsd: all.reduce((sum, run) => sum + Number(run.cost_usd), 0),
  };
};

/** Runs a step the budget may stop; anything else fails the test. */
const unlessBudget = async (work: () => Promise<unknown>) => {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof BudgetReachedError)) throw error;
  }
};

/** The whole campaign, as `tracker collect --backfill` does it. */
const collectAll = async (ctx: CollectContext, campaignId: number) => {
  await unlessBudget(() => snapshotWatchlist(ctx, campaignId));
  for (const query of await activeQueries(ctx.db, campaignId)) {
    await unlessBudget(() => pollQuery(ctx, query.id));
    await unlessBudget(() => backfillQuery(ctx, query.id));
  }
};

describe('billed reads', () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  const events: XResponseEvent[] = [];
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let ctx: CollectContext;
  let campaignId: number;

  beforeAll(async () => {
    simulator = await payPerUse(clock, token);
    t = await createTestDatabase();
    campaignId = (await applyCampaign(t.db, campaignFile(), clock.now())).campaignId;
    ctx = {
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl, onResponse: (e) => events.push(e) }),
      clock,
      log: silentLog,
    };
  });
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test("each post is billed once per UTC day, exactly as X's own count, and costs what the price table says", async () => {
    await collectAll(ctx, campaignId);
    const first = await totals(t.db);
    expect(first.postsBilled).toBeGreaterThan(1000);
    // The simulator bills like X: every post returned, the same one once a UTC day.
    expect(first.postsBilled).toBe(simulator.stats().postsRead);
    expect(first.costUsd).toBeGreaterThan(6); // more than the next block's budget
    expect(first.costUsd).toBeCloseTo(first.postsBilled * 0.005 + first.usersBilled * 0.01, 6);

    // Later the same UTC day: the top posts are re-read, and X bills none of them again.
    clock.advance(90 * 60_000);
    const sameDay = await refreshPostMetrics(ctx, campaignId);
    expect(sameDay.posts).toBeGreaterThan(0);
    const [sameDayRun] = (await runs(t.db)).filter((run) => run.kind === 'metrics');
    expect(sameDayRun).toMatchObject({ posts_read: sameDay.posts, posts_billed: 0, users_billed: 0 });
    expect(Number(sameDayRun?.cost_usd)).toBe(0);
    expect((await totals(t.db)).postsBilled).toBe(simulator.stats().postsRead);

    // The next UTC day, the same posts are billed again (and their authors).
    clock.set(nextUtcMorning(clock.now()));
    const nextDay = await refreshPostMetrics(ctx, campaignId);
    expect(nextDay.posts).toBeGreaterThan(0);
    const nextDayRun = (await runs(t.db)).filter((run) => run.kind === 'metrics').at(-1);
    expect(nextDayRun).toMatchObject({ posts_read: nextDay.posts, posts_billed: nextDay.posts });
    // Authors too; one that wrote posts on several pages is read several times, billed once.
    expect(nextDayRun?.users_billed).toBeGreaterThan(0);
    expect(nextDayRun?.users_billed).toBeLessThanOrEqual(nextDayRun?.users_read ?? 0);
    expect(Number(nextDayRun?.cost_usd)).toBeCloseTo(
      (nextDayRun?.posts_billed ?? 0) * 0.005 + (nextDayRun?.users_billed ?? 0) * 0.01,
      6,
    );
    expect((await totals(t.db)).postsBilled).toBe(simulator.stats().postsRead);
  });

  test('the observer sees every response: endpoint, status, rate limit, duration', () => {
    const sent = [...ctx.x.requests.values()].reduce((sum, n) => sum + n, 0);
    expect(events).toHaveLength(sent);
    const search = events.find((event) => event.endpoint === '/2/tweets/search/recent');
    expect(search).toMatchObject({ status: 200, rateLimit: { limit: 450 } });
    expect(search?.durationMs).toBeGreaterThanOrEqual(0);
    expect(events.some((event) => event.endpoint === '/2/usage/tweets')).toBe(true);
  });

  test('the observer sees errors too: a 400 with its rate limit, and no answer at all', async () => {
    const seen: XResponseEvent[] = [];
    const x = new XClient({
      bearerToken: token,
      baseUrl: simulator.baseUrl,
      onResponse: (e) => seen.push(e),
    });
    await expect(x.searchRecent({ query: 'x'.repeat(600) })).rejects.toThrow(/answered 400/);
    expect(seen).toEqual([
      expect.objectContaining({
        endpoint: '/2/tweets/search/recent',
        status: 400,
        rateLimit: expect.anything(),
      }),
    ]);
    const unreachable = new XClient({
      bearerToken: token,
      baseUrl: 'http://127.0.0.1:9/2/',
      onResponse: (e) => seen.push(e),
    });
    await expect(unreachable.usage()).rejects.toThrow(/unreachable/);
    expect(seen.at(-1)).toMatchObject({ endpoint: '/2/usage/tweets', status: 'error', rateLimit: null });
    // An observer that throws changes nothing.
    const throwing = new XClient({
      bearerToken: token,
      baseUrl: simulator.baseUrl,
      onResponse: () => {
        throw new Error('metrics are down');
      },
    });
    expect((await throwing.usage()).projectCap).toBe(2_000_000);
  });
});

describe('a monthly budget', () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let ctx: CollectContext;

  beforeAll(async () => {
    simulator = await payPerUse(clock, token);
    t = await createTestDatabase();
    ctx = {
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
      log: silentLog,
    };
  });
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test('stops collection before it is passed, with a clear status, and follower snapshots go on', async () => {
    // The whole campaign costs about $10 (the first block reads it all): $6 does not cover it.
    const budgetUsd = 6;
    const campaignId = (await applyCampaign(t.db, campaignFile(budgetUsd), clock.now())).campaignId;
    await unlessBudget(() => snapshotWatchlist(ctx, campaignId));
    // Both queries walk back at once: their reservations keep them under the budget together.
    await Promise.all(
      (await activeQueries(t.db, campaignId)).map(async (query) => {
        await unlessBudget(() => pollQuery(ctx, query.id));
        await unlessBudget(() => backfillQuery(ctx, query.id));
      }),
    );
    const stopped = (await runs(t.db)).filter((run) => run.outcome === 'budget');
    expect(stopped.length).toBeGreaterThan(0);
    const budgetText = `$${budgetUsd.toFixed(2)}`.replace('$', '\\$');
    for (const run of stopped) {
      expect(run.error).toMatch(
        new RegExp(
          `^monthly budget of ${budgetText} reached \\(\\$[\\d,.]+ spent, \\$[\\d,.]+ kept for the watchlist's follower snapshots\\): collection paused until 2017-01-01; raise budget\\.monthly_usd to resume$`,
        ),
      );
    }
    const spent = await totals(t.db);
    expect(spent.costUsd).toBeLessThanOrEqual(budgetUsd);
    // …and not much before: it stopped when the next page's worst case ($1.50: 100 posts and 100
    // authors), the other walk's reservation and what the watchlist's snapshots will cost until the
    // month ends no longer fitted.
    const { snapshotReserveUsd } = await campaignBudgetStatus(t.db, campaignId, clock.now());
    expect(snapshotReserveUsd).toBeGreaterThan(0);
    expect(spent.costUsd + 2 * 1.5 + snapshotReserveUsd).toBeGreaterThan(budgetUsd);
    expect(spent.postsBilled).toBe(simulator.stats().postsRead);

    // An hour later: the watchlist's follower snapshots are taken, whatever the budget; the top
    // authors only while it allows (a budget lowered to what is spent and kept back: not at all).
    clock.advance(3600_000);
    const lowered = Math.ceil((spent.costUsd + snapshotReserveUsd) * 100) / 100 + 0.01;
    await applyCampaign(t.db, campaignFile(lowered), clock.now());
    const watched = [scenario.homeUsername, ...scenario.watchlist];
    const snapshotsOf = async () =>
      (
        await t.db
          .selectFrom('account_snapshots as s')
          .innerJoin('accounts as a', 'a.id', 's.account_id')
          .select('s.observed_at')
          .where('a.username', 'in', watched)
          .execute()
      ).length;
    const before = await snapshotsOf();
    const requestsBefore = simulator.stats().requests.users;
    await snapshotWatchlist(ctx, campaignId);
    expect(await snapshotsOf()).toBe(before + watched.length);
    const snapshotRun = (await runs(t.db)).at(-1);
    expect(snapshotRun).toMatchObject({ kind: 'snapshot', outcome: 'budget', requests: 1 });
    expect(simulator.stats().requests.users).toBe(requestsBefore + 1);
    expect(snapshotRun?.error).toMatch(
      /^watchlist read; top authors skipped: monthly budget of \$[\d.]+ reached \(\$[\d.]+ spent, \$[\d.]+ kept for the watchlist's follower snapshots\): collection paused until 2017-01-01; raise budget\.monthly_usd to resume$/,
    );
    expect((await totals(t.db)).costUsd).toBeLessThanOrEqual(lowered);

    // A poll now ends at once, without a search request, and says why.
    const searches = simulator.stats().requests.search;
    const [query] = await activeQueries(t.db, campaignId);
    await expect(pollQuery(ctx, query?.id ?? 0)).rejects.toThrow(BudgetReachedError);
    expect(simulator.stats().requests.search).toBe(searches);
    expect((await runs(t.db)).at(-1)).toMatchObject({ kind: 'poll', outcome: 'budget', requests: 0 });

    const status = await campaignBudgetStatus(t.db, campaignId, clock.now());
    expect(status).toMatchObject({ month: clock.now().toISOString().slice(0, 7), pausedBy: 'budget' });
    expect(status.monthlyBudgetUsd).toBe(lowered);
    expect(status.spentUsd).toBeLessThanOrEqual(lowered);
    expect(status.spentUsd).toBeCloseTo((await totals(t.db)).costUsd, 6);
    expect(status.message).toMatch(/^monthly budget of/);
    expect(status.usage?.cap).toBe(2_000_000);
  });
});

describe("X's monthly post cap", () => {
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  const cap = 450;
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let t: TestDatabase;
  let ctx: CollectContext;

  beforeAll(async () => {
    simulator = await payPerUse(clock, token, cap);
    t = await createTestDatabase();
    ctx = {
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
      log: silentLog,
    };
  });
  afterAll(async () => {
    await simulator?.close();
    await t?.drop();
  });

  test('stops collection before the cap, so X never answers UsageCapExceeded', async () => {
    const campaignId = (await applyCampaign(t.db, campaignFile(), clock.now())).campaignId;
    await collectAll(ctx, campaignId);
    const stopped = (await runs(t.db)).filter((run) => run.outcome === 'budget');
    expect(stopped.length).toBeGreaterThan(0);
    for (const run of stopped) {
      expect(run.error).toMatch(
        /^X monthly post cap nearly reached \(\d+ of 450 posts read this month\): collection paused until X resets the count \(in \d+ days?\); follower snapshots go on$/,
      );
    }
    expect(simulator.stats().usageCapped).toBe(0);
    expect([...ctx.x.requests.keys()].filter((key) => key.endsWith(' 429'))).toEqual([]);
    expect(simulator.stats().postsRead).toBeLessThanOrEqual(cap);
    expect(simulator.stats().postsRead).toBeGreaterThan(cap - 200);

    // User reads are not under the post cap: follower snapshots go on.
    clock.advance(3600_000);
    await snapshotWatchlist(ctx, campaignId);
    expect((await runs(t.db)).at(-1)).toMatchObject({ kind: 'snapshot', outcome: 'ok' });
    expect(simulator.stats().usageCapped).toBe(0);
  });
});

describe('tracker collect --dry-run', { timeout: 120_000 }, () => {
  // collectOnce opens its own connection on the default schema: a database of its own.
  const database = uniqueName('budget');
  const databaseUrl = testDatabaseUrl.replace(/\/test$/, `/${database}`);
  const clock = new ManualClock(afterSummit);
  const token = randomBytes(16).toString('hex');
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let db: Db;

  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  };

  beforeAll(async () => {
    await admin(`create database ${database}`);
    simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
    db = await openDatabase({ url: databaseUrl, poolSize: 2 });
    await migrateToLatest(db);
    await applyCampaign(db, campaignFile(), clock.now());
  });
  afterAll(async () => {
    await db?.destroy();
    await simulator?.close();
    await admin(`drop database if exists ${database} with (force)`);
  });

  const config = () =>
    loadConfig({
      DATABASE_URL: databaseUrl,
      X_BEARER_TOKEN: token,
      X_API_BASE_URL: simulator.baseUrl,
      TRACKER_CLOCK: `fixed:${clock.now().toISOString()}`,
    });
  const collect = async (options: { backfill: boolean; dryRun: boolean }) => {
    const lines: string[] = [];
    await collectOnce(config(), silentLog, { slug: 'summit', progress: false, ...options }, (line) =>
      lines.push(line),
    );
    return lines;
  };

  test("estimates the backfill from X's counts alone, and the backfill then takes those requests", async () => {
    const lines = await collect({ backfill: false, dryRun: true });
    const { requests } = simulator.stats();
    expect(requests.counts).toBe(scenario.queries.length);
    expect({ ...requests, counts: 0 }).toEqual(
      Object.fromEntries(Object.keys(requests).map((family) => [family, 0])),
    );
    const total = lines.at(-1) ?? '';
    const n = scenario.queries.length;
    expect(total).toMatch(
      new RegExp(
        `^estimate total: [\\d,]+ posts, \\d+ search request\\(s\\), \\$[\\d,.]+ to \\$[\\d,.]+; this estimate cost \\$${(n * 0.005).toFixed(2)} \\(${n} counts request\\(s\\)\\), nothing else was read$`,
      ),
    );
    const estimatedPosts = Number(/([\d,]+) posts/.exec(total)?.[1]?.replaceAll(',', ''));
    const estimatedRequests = Number(/(\d+) search request/.exec(total)?.[1]);
    expect(estimatedPosts).toBeGreaterThan(1000);

    const collected = await collect({ backfill: true, dryRun: false });
    expect(collected.some((line) => /^backfill #\w+: ok; \d+ request\(s\), [\d,]+ new/.test(line))).toBe(
      true,
    );
    expect(collected.at(-1)).toMatch(
      /^budget \d{4}-\d\d: \$[\d,.]+ spent \(no monthly budget set\); X usage/,
    );
    const searched = simulator.stats().requests.search;
    // Counts and searches are a few seconds apart at most: they agree to the page.
    expect(Math.abs(searched - estimatedRequests)).toBeLessThanOrEqual(scenario.queries.length);
    const read = await db
      .selectFrom('collection_runs')
      .select((eb) => eb.fn.sum<string>('posts_read').as('posts'))
      .where('kind', 'in', ['poll', 'backfill'])
      .executeTakeFirstOrThrow();
    expect(Math.abs(Number(read.posts) - estimatedPosts)).toBeLessThanOrEqual(scenario.queries.length * 5);

    // Once every walk is done, an estimate has nothing to count.
    const after = await collect({ backfill: false, dryRun: true });
    expect(after[0]).toBe('estimate: every backfill is done, nothing to read');
    expect(simulator.stats().requests.counts).toBe(scenario.queries.length);
  });
});
