import type { Db } from '../db/database.ts';
import {
  campaignBudgetMicros,
  latestBudgetStop,
  latestUsageReading,
  snapshotReserveMicros,
  spentThisMonth,
} from '../db/spending.ts';
import { costMicros, type PriceTable, publishedPrices, utcMonth, worstCase } from './prices.ts';

/** A campaign's spending this month, for the dashboard and the CLI. */
export interface BudgetStatus {
  /** UTC month, YYYY-MM */
  month: string;
  /** when a paused campaign resumes by itself (next UTC month) */
  resumesAt: Date;
  monthlyBudgetUsd: number | null;
  spentUsd: number;
  /** kept back for the watchlist's follower snapshots until the month ends */
  snapshotReserveUsd: number;
  /** X's count of posts read this month by the project, and its cap, at the last reading */
  usage: { posts: number; cap: number; capResetDays: number | null; readAt: Date } | null;
  /** what holds collection back now (snapshots of the watchlist go on in both cases) */
  pausedBy: 'budget' | 'cap' | null;
  /** the run log's latest explanation, when paused */
  message: string | null;
}

/**
 * The budget state of a campaign at `now`: its budget, what it spent this UTC month, X's usage
 * against the cap, and whether collection is paused by either. Reads only the database.
 */
export async function campaignBudgetStatus(
  db: Db,
  campaignId: number,
  now: Date,
  prices: PriceTable = publishedPrices,
): Promise<BudgetStatus> {
  const month = utcMonth(now);
  const budgetMicros = await campaignBudgetMicros(db, campaignId);
  const spent = await spentThisMonth(db, campaignId, month, null);
  const reserve = await snapshotReserveMicros(db, campaignId, now, prices);
  const usage = await latestUsageReading(db);
  const page = worstCase.searchPage;
  const pausedBy =
    budgetMicros !== null && spent + reserve + costMicros(prices, page) > budgetMicros
      ? 'budget'
      : usage && usage.projectUsage + page.posts > usage.projectCap
        ? 'cap'
        : null;
  const message = pausedBy ? await latestBudgetStop(db, campaignId, month) : null;
  return {
    month: month.start.toISOString().slice(0, 7),
    resumesAt: month.end,
    monthlyBudgetUsd: budgetMicros === null ? null : budgetMicros / 1e6,
    spentUsd: spent / 1e6,
    snapshotReserveUsd: reserve / 1e6,
    usage: usage
      ? {
          posts: usage.projectUsage,
          cap: usage.projectCap,
          capResetDays: usage.capResetDays,
          readAt: new Date(usage.readAt),
        }
      : null,
    pausedBy,
    message,
  };
}
