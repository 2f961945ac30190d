import type { Db } from '../db/database.ts';

/**
 * End of the campaign's last successful collection run, or null before the first one (walked
 * backwards along the started_at index). Posts loaded by other means carry no such date: the run
 * log is what says how fresh the data is. A dry-run estimate reads only X's counts: it collects nothing.
 */
export async function lastCollectedAt(db: Db, campaignId: number): Promise<Date | null> {
  const row = await db
    .selectFrom('collection_runs')
    .select('finished_at')
    .where('campaign_id', '=', campaignId)
    .where('outcome', '=', 'ok')
    .where('kind', '<>', 'estimate')
    .where('finished_at', 'is not', null)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.finished_at ?? null;
}
