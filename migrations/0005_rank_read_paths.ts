import { type Kysely, sql } from 'kysely';
import { functionStatements } from './sql-files.ts';

/*
 * Read paths found by the 5-million-post ranking bench (tests/bench/rank.ts):
 * - every board that reads the campaign totals walks an index in metric order (posts and engagement
 *   had theirs in 0002; reposts, impressions and mentions get theirs here);
 * - rollup rows are updated in place at every write that touches them: free room in each page lets
 *   PostgreSQL update them without touching their indexes (HOT updates) when no indexed column
 *   moves. (The fillfactor applies to pages written from now on; a `vacuum full` applies it to old ones.)
 * - every upsert of a page fires rank_posts_changed, usually with nothing updated: it now leaves
 *   early, and looks links up by (campaign_id, post_id) probes instead of scanning campaign_posts.
 */
const rollupFillfactors = [
  ['rank_daily', 70],
  ['rank_mentions_daily', 70],
  ['rank_query_hourly', 70],
  ['rank_counts', 50],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'create index rank_totals_reposts_idx on rank_totals (campaign_id, reposts desc)',
    'create index rank_totals_impressions_idx on rank_totals (campaign_id, impressions desc)',
    // In display order: most mentioned first, then by username (code-unit order).
    'create index rank_mentions_rank_idx on rank_mentions (campaign_id, mentions desc, username collate "C")',
    ...rollupFillfactors.map(
      ([table, fillfactor]) => `alter table ${table} set (fillfactor = ${fillfactor})`,
    ),
    ...functionStatements('rank_posts_changed', '0005'),
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    ...functionStatements('rank_posts_changed', '0002'),
    ...rollupFillfactors.map(([table]) => `alter table ${table} reset (fillfactor)`),
    'drop index rank_mentions_rank_idx, rank_totals_impressions_idx, rank_totals_reposts_idx',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
