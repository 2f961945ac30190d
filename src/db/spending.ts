import { sql, type Transaction } from 'kysely';
import { costMicros, type MonthSpan, type PriceTable, usdToMicros, utcMonth } from '../budget/prices.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

/** What campaigns spend on X reads: the reads behind the budget checks (src/collect/budget.ts) and status (src/budget/status.ts). */

/** A reservation older than this belongs to a worker that died mid-request: it no longer counts. */
const reservationLifetime = '5 minutes';
/**
 * Spent by the campaign's runs this month, in micro-dollars: their estimated costs so far, plus the
 * worst case of requests still in flight (a reservation expires with its worker). The database's
 * own clock dates reservations, so workers whose clocks differ agree on their age.
 */
export async function spentThisMonth(
  db: Db | Transaction<Database>,
  campaignId: number,
  month: MonthSpan,
  exceptRunId: string | null,
): Promise<number> {
  const { rows } = await sql<{ spent: string }>`
    select (coalesce(sum(cost_usd), 0) + coalesce(sum(reserved_usd) filter (
              where outcome = 'running' and reserved_at > now() - ${reservationLifetime}::interval), 0))::text as spent
    from collection_runs
    where campaign_id = ${campaignId} and started_at >= ${month.start} and started_at < ${month.end}
      ${exceptRunId === null ? sql`` : sql`and id <> ${exceptRunId}`}
  `.execute(db);
  return usdToMicros(rows[0]?.spent ?? 0);
}

/**
 * Kept back for the follower snapshots of the home account and the watchlist until the month ends:
 * each account is a user read billed once a day, today included (conservative: today's may be paid).
 */
export async function snapshotReserveMicros(
  db: Db | Transaction<Database>,
  campaignId: number,
  now: Date,
  prices: PriceTable,
): Promise<number> {
  const row = await db
    .selectFrom('campaign_accounts')
    .select((eb) => eb.fn.countAll<string>().as('accounts'))
    .where('campaign_id', '=', campaignId)
    // Only X bills reads: the Bluesky and Mastodon accounts of the watchlist cost nothing.
    .where('network', '=', 'x')
    .executeTakeFirst();
  const month = utcMonth(now);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const daysLeft = Math.round((month.end.getTime() - today) / 86_400_000);
  return costMicros(prices, { posts: 0, users: Number(row?.accounts ?? 0) * daysLeft });
}

/** X's usage count as stored in `x_usage` (one row, shared by every worker). */
export function usageReadingOf(row: {
  project_usage: string;
  project_cap: string;
  cap_reset_days: number | null;
  read_at: Date;
}) {
  return {
    projectUsage: Number(row.project_usage),
    projectCap: Number(row.project_cap),
    capResetDays: row.cap_reset_days,
    readAt: row.read_at.getTime(),
  };
}

export async function latestUsageReading(db: Db | Transaction<Database>) {
  const row = await db.selectFrom('x_usage').selectAll().executeTakeFirst();
  return row ? usageReadingOf(row) : null;
}

/** The campaign's monthly budget in micro-dollars, or null without one. */
export async function campaignBudgetMicros(
  db: Db | Transaction<Database>,
  campaignId: number,
): Promise<number | null> {
  const campaign = await db
    .selectFrom('campaigns')
    .select('budget_monthly_usd')
    .where('id', '=', campaignId)
    .executeTakeFirst();
  return campaign?.budget_monthly_usd ? usdToMicros(campaign.budget_monthly_usd) : null;
}

/** The run log's latest explanation of a budget stop this month. */
export async function latestBudgetStop(db: Db, campaignId: number, month: MonthSpan): Promise<string | null> {
  const row = await db
    .selectFrom('collection_runs')
    .select('error')
    .where('campaign_id', '=', campaignId)
    .where('outcome', '=', 'budget')
    .where('started_at', '>=', month.start)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.error ?? null;
}
