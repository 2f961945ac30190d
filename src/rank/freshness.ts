import type { Db } from '../db/database.ts';
import { lastCollectionEnd } from '../db/run-log-repository.ts';

/**
 * End of the campaign's last successful collection run, or null before the first one. Posts loaded
 * by other means carry no such date: the run log is what says how fresh the data is. A dry-run
 * estimate reads only X's counts: it collects nothing, and does not count.
 */
export function lastCollectedAt(db: Db, campaignId: number): Promise<Date | null> {
  return lastCollectionEnd(db, campaignId);
}
