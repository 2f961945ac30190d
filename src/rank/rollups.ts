import type { Db } from '../db/database.ts';
import { rebuildRankRollups } from '../db/leaderboard-repository.ts';

/*
 * Why rollups maintained at write time, inside PostgreSQL (migrations/0002_rank_rollups.ts):
 *
 * - A leaderboard is read every few seconds by every open dashboard while collectors write. The
 *   straightforward GROUP BY over `posts` reads every campaign post on every read: seconds at a
 *   few million posts. Materialised views refreshed on a timer would be stale between refreshes
 *   and a refresh re-reads everything; an incremental refresh driven by the application would need
 *   every writer (poll, backfill, timelines, metric refresh, admin) to remember to call it.
 * - Triggers see every write, whoever makes it, in the writer's own transaction: the rollups are
 *   never behind the posts, a rolled-back page rolls its rollups back, and a reader's snapshot sees
 *   posts and rollups that agree. The collector needs no change.
 * - Exactness under concurrent writers: the ledger `rank_posts` (one row per campaign and post,
 *   keyed on both) records what each post contributes; changes are computed against it under the
 *   post's row lock, so a post linked by two queries, or by two workers at once, is counted once,
 *   and a metric refresh moves the totals by the difference, never by the whole value again.
 * - Cheap writes: a page of 100 posts stages its changes with one statement per trigger and folds
 *   them at commit with one statement per rollup table, in key order (no deadlocks between
 *   transactions that share accounts, hours or mentioned usernames).
 *
 * The layout serves the reads: the campaign window is the board everyone watches (one row per
 * account, indexed by posts and engagement: the top rows and a rank are index range scans); days of
 * the campaign's timezone answer other windows in whole days, and the ledger, indexed by time and by
 * author, gives the parts of days at the edges and the few accounts that movement needs.
 */

/**
 * Recomputes a campaign's rollups from `posts` and `campaign_posts`. The triggers keep them exact;
 * this is for data loaded with the triggers off (a bulk COPY), and it runs by itself when a
 * campaign's window or timezone changes. Writers wait while it runs.
 */
export async function rebuildRollups(db: Db, campaignId: number): Promise<void> {
  await rebuildRankRollups(db, campaignId);
}
