import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Reads of the run log (`collection_runs`) for the ranking and the pages. The collection writes
 * its runs through src/db/collection-runs.ts.
 */

/**
 * End of the campaign's last successful collection run, or null before the first one (walked
 * backwards along the started_at index). A dry-run estimate reads only X's counts: it collects nothing.
 */
export async function lastCollectionEnd(db: Db, campaignId: number): Promise<Date | null> {
  const row = await lastCollectionEndQuery(db, campaignId).executeTakeFirst();
  return row?.finished_at ?? null;
}

/** The query of `lastCollectionEnd`, for a read that asks it beside other things in one statement. */
export function lastCollectionEndQuery(db: Db, campaignId: number) {
  return db
    .selectFrom('collection_runs')
    .select('finished_at')
    .where('campaign_id', '=', campaignId)
    .where('outcome', '=', 'ok')
    .where('kind', '<>', 'estimate')
    .where('finished_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1);
}

/** The run log, newest first, with the campaign's slug. */
export async function recentRuns(db: Db, limit: number) {
  return db
    .selectFrom('collection_runs as r')
    .leftJoin('campaigns as c', 'c.id', 'r.campaign_id')
    .select([
      'r.id',
      'c.slug',
      'r.kind',
      'r.target',
      'r.started_at',
      'r.finished_at',
      'r.requests',
      'r.posts_new',
      'r.posts_updated',
      'r.outcome',
      'r.error',
    ])
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
}

/** X requests made per campaign since the start of the UTC day and of the UTC month of `now`. */
export async function requestCounts(db: Db, now: Date) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const rows = await db
    .selectFrom('collection_runs')
    .select([
      'campaign_id',
      sql<string>`coalesce(sum(requests) filter (where started_at >= ${day}), 0)`.as('today'),
      sql<string>`coalesce(sum(requests), 0)`.as('month'),
    ])
    .where('started_at', '>=', month)
    .where('started_at', '<=', now)
    .groupBy('campaign_id')
    .execute();
  return new Map(
    rows.map((row) => [row.campaign_id, { today: Number(row.today), month: Number(row.month) }]),
  );
}
