import { type Kysely, sql } from 'kysely';
import { functionStatements } from './sql-files.ts';

/*
 * Rollups for the leaderboards, maintained inside PostgreSQL at write time (src/rank/rollups.ts
 * explains the choice). Three layers:
 *
 * - `rank_posts`, the ledger: one row per (campaign, post) that counts — linked to the campaign by at
 *   least one query and not deleted — holding what the post contributes (engagement of a repost is
 *   its own business, not the campaign's: a repost contributes 0 there). Its primary key is what
 *   makes a post matched by two queries count once, even when two workers link it at the same time.
 * - the rollups: per account over the campaign window (`rank_totals`, `rank_mentions`), per account
 *   and day of the campaign's timezone (`rank_daily`, `rank_mentions_daily`), per query and hour
 *   (`rank_query_hourly`), and per campaign (`rank_counts`: accounts above zero and sums).
 * - the staging of changes (`rank_pending`): statement triggers compare the ledger with the posts and
 *   stage signed contribution changes; a deferred trigger folds them into the rollups once, at
 *   commit, in key order.
 *
 * Why the staging: a collector transaction runs several statements (posts upsert, links, cursor),
 * and two transactions on different pages can touch the same rollup rows (a query's hour, a mentioned
 * username, the campaign's counts). Updating rollups statement by statement would take those row
 * locks in different orders in different transactions: deadlocks. Folded at commit, every
 * transaction locks rollup rows table by table in key order, and holds them only while committing.
 */
const statements = [
  `create table rank_posts (
      campaign_id integer not null,
      post_id bigint not null,
      author_id bigint not null,
      created_at timestamptz not null,
      repost boolean not null,
      engagement bigint not null,
      impressions bigint not null,
      mentions text[] not null,
      query_ids integer[] not null,
      primary key (campaign_id, post_id)
    )`,
  // Window edges (parts of a day) and top posts by time; the account's own posts for its series and
  // for the movement of a few accounts.
  `create index rank_posts_created_idx on rank_posts (campaign_id, created_at)
     include (author_id, repost, engagement, impressions)`,
  `create index rank_posts_author_idx on rank_posts (campaign_id, author_id, created_at)
     include (repost, engagement, impressions)`,
  `create index rank_posts_engagement_idx on rank_posts (campaign_id, engagement desc) where not repost`,

  `create table rank_totals (
      campaign_id integer not null,
      account_id bigint not null,
      posts integer not null,
      reposts integer not null,
      engagement bigint not null,
      impressions bigint not null,
      primary key (campaign_id, account_id)
    )`,
  // The live board: top rows and a rank are short index range scans.
  'create index rank_totals_posts_idx on rank_totals (campaign_id, posts desc)',
  'create index rank_totals_engagement_idx on rank_totals (campaign_id, engagement desc)',

  `create table rank_daily (
      campaign_id integer not null,
      day timestamptz not null,
      account_id bigint not null,
      posts integer not null,
      reposts integer not null,
      engagement bigint not null,
      impressions bigint not null,
      primary key (campaign_id, day, account_id)
    )`,
  'create index rank_daily_account_idx on rank_daily (campaign_id, account_id, day)',

  `create table rank_mentions (
      campaign_id integer not null,
      username text not null,
      mentions integer not null,
      primary key (campaign_id, username)
    )`,
  `create table rank_mentions_daily (
      campaign_id integer not null,
      day timestamptz not null,
      username text not null,
      mentions integer not null,
      primary key (campaign_id, day, username)
    )`,
  'create index rank_mentions_daily_username_idx on rank_mentions_daily (campaign_id, username, day)',

  `create table rank_query_hourly (
      campaign_id integer not null,
      query_id integer not null,
      hour timestamptz not null,
      posts integer not null,
      primary key (campaign_id, query_id, hour)
    )`,

  `create table rank_counts (
      campaign_id integer primary key,
      accounts_posts integer not null,
      accounts_reposts integer not null,
      accounts_engagement integer not null,
      accounts_impressions integer not null,
      authors integer not null,
      sum_posts bigint not null,
      sum_reposts bigint not null,
      sum_engagement bigint not null,
      sum_impressions bigint not null
    )`,

  // Rows live only inside the transaction that stages them (folded and deleted at its commit), so
  // they need no WAL: after a crash there is nothing of them to recover.
  `create unlogged table rank_pending (
      txid bigint not null,
      campaign_id integer not null,
      author_id bigint not null,
      created_at timestamptz not null,
      repost boolean not null,
      engagement bigint not null,
      impressions bigint not null,
      mentions text[] not null,
      query_ids integer[] not null,
      sign smallint not null
    )`,
  'create index rank_pending_txid_idx on rank_pending (txid)',
  'create unlogged table rank_pending_txn (txid bigint primary key)',

  ...functionStatements('rank_sync', '0002'),

  ...functionStatements('rank_apply', '0002'),

  ...functionStatements('rank_links_changed', '0002'),

  ...functionStatements('rank_posts_changed', '0002'),

  ...functionStatements('rank_rebuild', '0002'),
  ...functionStatements('rank_campaign_changed', '0002'),
  ...functionStatements('rank_campaign_deleted', '0002'),
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: the extended protocol used for parameters refuses several at once.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop trigger rank_campaign_deleted on campaigns',
    'drop trigger rank_campaign_calendar_changed on campaigns',
    'drop trigger rank_posts_updated on posts',
    'drop trigger rank_links_deleted on campaign_posts',
    'drop trigger rank_links_inserted on campaign_posts',
    `drop function rank_campaign_deleted(), rank_campaign_changed(), rank_rebuild(integer),
       rank_posts_changed(), rank_links_changed(), rank_apply(), rank_sync(integer[], bigint[])`,
    `drop table rank_pending_txn, rank_pending, rank_counts, rank_query_hourly, rank_mentions_daily,
       rank_mentions, rank_daily, rank_totals, rank_posts`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
