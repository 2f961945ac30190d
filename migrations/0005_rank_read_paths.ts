import { type Kysely, sql } from 'kysely';

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

const contributionChanged = `(n.deleted, n.kind, n.author_id, n.created_at, n.like_count, n.repost_count,
       n.reply_count, n.quote_count, n.impression_count, n.mentions)
     is distinct from (o.deleted, o.kind, o.author_id, o.created_at, o.like_count, o.repost_count,
       o.reply_count, o.quote_count, o.impression_count, o.mentions)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'create index rank_totals_reposts_idx on rank_totals (campaign_id, reposts desc)',
    'create index rank_totals_impressions_idx on rank_totals (campaign_id, impressions desc)',
    // In display order: most mentioned first, then by username (code-unit order).
    'create index rank_mentions_rank_idx on rank_mentions (campaign_id, mentions desc, username collate "C")',
    ...rollupFillfactors.map(
      ([table, fillfactor]) => `alter table ${table} set (fillfactor = ${fillfactor})`,
    ),
    `create or replace function rank_posts_changed() returns trigger
     language plpgsql as $fn$
     begin
       if not exists (select 1 from new_posts) then
         return null;
       end if;
       perform rank_sync(array_agg(pairs.campaign_id), array_agg(pairs.post_id))
       from (
         select c.id as campaign_id, n.id as post_id
         from new_posts n
         join old_posts o on o.id = n.id
         cross join campaigns c
         cross join lateral (
           select 1 from campaign_posts cp where cp.campaign_id = c.id and cp.post_id = n.id limit 1
         ) linked
         where ${contributionChanged}
       ) pairs
       having count(*) > 0;
       return null;
     end
     $fn$`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `create or replace function rank_posts_changed() returns trigger
     language plpgsql as $fn$
     begin
       perform rank_sync(array_agg(pairs.campaign_id), array_agg(pairs.post_id))
       from (
         select c.id as campaign_id, n.id as post_id
         from new_posts n
         join old_posts o on o.id = n.id
         cross join campaigns c
         where ${contributionChanged}
           and exists (select 1 from campaign_posts cp where cp.campaign_id = c.id and cp.post_id = n.id)
       ) pairs
       having count(*) > 0;
       return null;
     end
     $fn$`,
    ...rollupFillfactors.map(([table]) => `alter table ${table} reset (fillfactor)`),
    'drop index rank_mentions_rank_idx, rank_totals_impressions_idx, rank_totals_reposts_idx',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
