import { sql } from 'kysely';
import {
  costMicros,
  formatUsd,
  type MonthSpan,
  type PriceTable,
  publishedPrices,
  type ReadCost,
  usdToMicros,
  utcMonth,
  worstCase,
} from '../budget/prices.ts';
import { systemClock } from '../clock.ts';
import { countColumns, microsToUsd, type RunCounts } from '../db/collection-runs.ts';
import { snapshotReserveMicros, spentThisMonth, usageReadingOf } from '../db/spending.ts';
import type { BilledReads } from '../db/x-reads.ts';
import type { XClient } from '../networks/x/client.ts';
import type { CollectContext } from './context.ts';

/**
 * The budget of X reads. X bills per resource read (a post, a user; the same one read twice in one
 * UTC day once) and caps the posts a project reads in a month. Before every request, a run checks
 * that the request's worst case still fits:
 * - the campaign's monthly budget (`budget.monthly_usd`): spent this UTC month by every run of the
 *   campaign (finished, running, and the worst case of the requests in flight elsewhere), plus what
 *   the watchlist's follower snapshots will cost until the month ends, plus this request's worst case;
 * - X's monthly post cap: X's own count (/2/usage/tweets, read at most every 5 minutes and shared
 *   through the database) plus the posts billed by this process since that reading, plus this
 *   request's worst case — so collection stops before X's UsageCapExceeded, not at it. Other
 *   processes' reads since the reading show at the next one (within 5 minutes); posts from
 *   endpoints the tier does not cap are counted too: both err on the side of stopping early.
 * When it does not fit, the run stops with outcome `budget` and a sentence saying why and what to do.
 * Follower snapshots of the home account and the watchlist never stop: they cost a cent per account
 * and day, and a missed reading can never be taken later.
 *
 * Days and months are UTC days and months of the application clock: the system clock in
 * production, where they are X's billing days; tests and the demo step or replay it.
 */

export class BudgetReachedError extends Error {
  override name = 'BudgetReachedError';
  constructor(
    message: string,
    readonly reason: 'budget' | 'cap',
  ) {
    super(message);
  }
}

/** X's usage count is read at most this often (wall clock), by all workers together. */
const usageMaxAgeMs = 5 * 60_000;
/** After a failed usage read, the next try waits this long. */
const usageRetryMs = 60_000;

/**
 * What one run spends, and the guard it passes before each request. A run of a campaign with a
 * budget writes its counters and the worst case of the request it is about to send into its run-log
 * row, under a lock on the campaign's row: concurrent runs of the campaign, on any worker, see each
 * other's spending and reservations, and cannot together pass the budget.
 */
export class RunSpending {
  readonly #ctx: CollectContext;
  readonly #runId: string;
  readonly #campaignId: number | null;
  readonly #exempt: boolean;
  readonly counts: RunCounts;
  #stoppedBy: string | null = null;
  /** the campaign's budget, read at the run's first request (a change applies from the next run) */
  #hasBudget: Promise<boolean> | null = null;

  constructor(
    ctx: CollectContext,
    run: { id: string; campaignId: number | null; counts: RunCounts; exempt?: boolean },
  ) {
    this.#ctx = ctx;
    this.#runId = run.id;
    this.#campaignId = run.campaignId;
    this.#exempt = run.exempt ?? false;
    this.counts = run.counts;
  }

  get prices(): PriceTable {
    return this.#ctx.prices ?? publishedPrices;
  }

  /**
   * Before each X request: throws a BudgetReachedError when the request's worst case could pass
   * the campaign's monthly budget or X's monthly post cap. Exempt runs (follower snapshots of the
   * watchlist) always pass.
   */
  async allow(worst: ReadCost): Promise<void> {
    if (this.#exempt || this.#campaignId === null) return;
    if (worst.posts > 0) await checkCap(this.#ctx, worst.posts);
    const campaignId = this.#campaignId;
    this.#hasBudget ??= this.#ctx.db
      .selectFrom('campaigns')
      .select('budget_monthly_usd')
      .where('id', '=', campaignId)
      .executeTakeFirst()
      .then((row) => Boolean(row?.budget_monthly_usd));
    // Without a budget, no lock and no reservation: only the cap holds collection back.
    if (await this.#hasBudget) await this.#checkBudget(campaignId, worst);
  }

  /** The run did what the budget allowed and stops there (it ends with outcome `budget`). */
  stop(message: string): void {
    this.#stoppedBy = message;
  }

  get stoppedBy(): string | null {
    return this.#stoppedBy;
  }

  /** After each answer is stored: what it read and what X bills of it. */
  add(reads: BilledReads): void {
    const c = this.counts;
    c.postsRead += reads.postsRead;
    c.usersRead += reads.usersRead;
    c.postsBilled += reads.postsBilled;
    c.usersBilled += reads.usersBilled;
    c.costMicros += costMicros(this.prices, { posts: reads.postsBilled, users: reads.usersBilled });
    usageTracker(this.#ctx.x).billedSinceReading += reads.postsBilled;
  }

  /** After a counts request: X bills it whatever it counted. */
  addCountsRequest(): void {
    this.counts.countsRequests++;
    this.counts.costMicros += costMicros(this.prices, worstCase.countsRequest);
  }

  async #checkBudget(campaignId: number, worst: ReadCost): Promise<void> {
    const now = this.#ctx.clock.now();
    const worstMicros = costMicros(this.prices, worst);
    await this.#ctx.db.transaction().execute(async (trx) => {
      // The campaign's row is the lock: one check-and-reserve at a time per campaign.
      const campaign = await trx
        .selectFrom('campaigns')
        .select('budget_monthly_usd')
        .where('id', '=', campaignId)
        .forUpdate()
        .executeTakeFirst();
      if (!campaign?.budget_monthly_usd) return;
      const budgetMicros = usdToMicros(campaign.budget_monthly_usd);
      const month = utcMonth(now);
      const others = await spentThisMonth(trx, campaignId, month, this.#runId);
      const spent = others + this.counts.costMicros;
      const reserve = await snapshotReserveMicros(trx, campaignId, now, this.prices);
      if (spent + worstMicros + reserve > budgetMicros) {
        throw new BudgetReachedError(budgetMessage(budgetMicros, spent, reserve, month), 'budget');
      }
      await trx
        .updateTable('collection_runs')
        .set({
          ...countColumns(this.counts),
          reserved_usd: microsToUsd(worstMicros),
          reserved_at: sql`now()`,
        })
        .where('id', '=', this.#runId)
        .execute();
    });
  }
}

function budgetMessage(budgetMicros: number, spent: number, reserve: number, month: MonthSpan): string {
  const kept = reserve > 0 ? `, ${formatUsd(reserve)} kept for the watchlist's follower snapshots` : '';
  return (
    `monthly budget of ${formatUsd(budgetMicros)} reached (${formatUsd(spent)} spent${kept}): collection ` +
    `paused until ${month.end.toISOString().slice(0, 10)}; raise budget.monthly_usd to resume`
  );
}

interface UsageReading {
  projectUsage: number;
  projectCap: number;
  capResetDays: number | null;
  /** wall-clock ms */
  readAt: number;
}

/** Per X client (one X project): the last usage reading and the posts billed through it since. */
interface UsageTracker {
  reading: UsageReading | null;
  billedSinceReading: number;
  nextReadAt: number;
  pending: Promise<void> | null;
}

const trackers = new WeakMap<XClient, UsageTracker>();

function usageTracker(x: XClient): UsageTracker {
  let tracker = trackers.get(x);
  if (!tracker) {
    tracker = { reading: null, billedSinceReading: 0, nextReadAt: 0, pending: null };
    trackers.set(x, tracker);
  }
  return tracker;
}

/** X's count of posts read this month, as fresh as `usageMaxAgeMs`, plus what we billed since. */
async function currentUsage(ctx: CollectContext): Promise<(UsageReading & { estimate: number }) | null> {
  const tracker = usageTracker(ctx.x);
  // X counts in real time: the reading's age is wall-clock time, whatever the application clock says.
  if (systemClock.now().getTime() >= tracker.nextReadAt) {
    tracker.pending ??= refreshUsage(ctx, tracker).finally(() => {
      tracker.pending = null;
    });
    await tracker.pending;
  }
  const reading = tracker.reading;
  return reading ? { ...reading, estimate: reading.projectUsage + tracker.billedSinceReading } : null;
}

async function refreshUsage(ctx: CollectContext, tracker: UsageTracker): Promise<void> {
  const wallNow = systemClock.now();
  // Another worker may have read it moments ago: one usage request per few minutes for all of them.
  const shared = await ctx.db.selectFrom('x_usage').selectAll().executeTakeFirst();
  if (shared && wallNow.getTime() - shared.read_at.getTime() < usageMaxAgeMs) {
    if (tracker.reading?.readAt !== shared.read_at.getTime()) {
      tracker.reading = usageReadingOf(shared);
      tracker.billedSinceReading = 0;
    }
    tracker.nextReadAt = shared.read_at.getTime() + usageMaxAgeMs;
    return;
  }
  try {
    const usage = await ctx.x.usage();
    const row = {
      project_usage: usage.projectUsage,
      project_cap: usage.projectCap,
      cap_reset_days: usage.capResetDays,
      read_at: wallNow,
    };
    await ctx.db
      .insertInto('x_usage')
      .values(row)
      .onConflict((oc) => oc.column('singleton').doUpdateSet(row))
      .execute();
    tracker.reading = { ...usage, readAt: wallNow.getTime() };
    tracker.billedSinceReading = 0;
    tracker.nextReadAt = wallNow.getTime() + usageMaxAgeMs;
  } catch (error) {
    // Without a fresh count the last one (and what we billed since) still bounds the cap.
    ctx.log.warn(
      { err: error },
      'could not read X usage (/2/usage/tweets); the monthly cap check uses the last reading',
    );
    tracker.nextReadAt = wallNow.getTime() + usageRetryMs;
  }
}

async function checkCap(ctx: CollectContext, posts: number): Promise<void> {
  const usage = await currentUsage(ctx);
  if (!usage || usage.estimate + posts <= usage.projectCap) return;
  const resets =
    usage.capResetDays === null
      ? ''
      : ` (in ${usage.capResetDays} day${usage.capResetDays === 1 ? '' : 's'})`;
  throw new BudgetReachedError(
    `X monthly post cap nearly reached (${usage.estimate.toLocaleString('en-US')} of ` +
      `${usage.projectCap.toLocaleString('en-US')} posts read this month): collection paused until X resets the count${resets}; ` +
      'follower snapshots go on',
    'cap',
  );
}
