import { type Kysely, sql } from 'kysely';
import { functionStatements } from './sql-files.ts';

/*
 * Mentions on the live board (issue 5, tests/bench/rank.ts).
 *
 * The number of accounts ranked: `rank_counts.accounts_mentions`, with `rank_mentions.counted`
 * telling whether each username counts (the account last seen under it is an author of the window
 * or on the watchlist; null while two accounts share the username, counted by the read). Every
 * write that can move it stages the usernames it touches in `rank_pending_names` — a username's
 * mentions reaching or leaving 0, an account entering or leaving the window's authors, a new
 * account, a rename, the watchlist — and rank_apply recomputes those at commit, under an advisory
 * lock per campaign taken before its first read: each commit sees what the previous ones committed
 * (READ COMMITTED), so concurrent writers cannot both miss a change. The lock comes before the
 * rollup row locks, which keep their order (see 0002 on deadlocks); rank_rebuild takes it after
 * its table lock, as writers do.
 *
 * The movement reads each target username's mentions on the late part of the window, [ref, to).
 * Days come from `rank_mentions_daily`, but the parts of days at either end came from the ledger,
 * where nothing indexes a mentioned username: every post of those hours was read (up to most of a
 * day's posts, for each of the two queries of each reference). `rank_mentions_hourly` answers the
 * whole hours inside those parts per username, leaving the ledger less than an hour at each end.
 * Its hours are UTC hours: they only ever split the parts of days that the daily rollup leaves,
 * so any timezone's days work (offsets of 30 or 45 minutes too), and an hour is always 60 minutes.
 * Keyed by username first, as its reads are: a few usernames, a range of hours each.
 *
 * rank_apply also stops joining an upsert's RETURNING with the changes it applied (a nested loop
 * over two CTE scans, rows x rows comparisons): it groups the two row sets on their key instead.
 */

/**
 * A rank_mentions row's `counted`: whether the username counts on the board, kept by the writes
 * that can move it — or null while two accounts share the username. Which of those the username
 * names moves with every sighting (`last_seen_at`), and catching each sighting would cost every
 * page write a trigger: those few usernames are counted by the read (src/rank/leaderboard.ts).
 */
const mentionFlag = (row: string) => `case
       when (select count(*) from accounts n where lower(n.username) = ${row}.username) > 1 then null
       else ${row}.mentions > 0 and rank_mention_counted(${row}.campaign_id, ${row}.username) end`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'alter table rank_mentions add column counted boolean default false',
    'alter table rank_counts add column accounts_mentions integer not null default 0',
    // Like rank_pending: rows live only inside the transaction that stages them.
    `create unlogged table rank_pending_names (
        txid bigint not null,
        campaign_id integer,
        username text not null
      )`,
    'create index rank_pending_names_txid_idx on rank_pending_names (txid)',
    ...functionStatements('rank_mention_counted', '0008'),
    `update rank_mentions m set counted = ${mentionFlag('m')} where m.mentions > 0`,
    `update rank_counts r set accounts_mentions =
       (select count(*) from rank_mentions m where m.campaign_id = r.campaign_id and m.counted)`,
    // Their triggers: statement triggers with transition tables; renames and deletions of accounts,
    // rare, are row triggers whose condition costs a page write nothing.
    ...functionStatements('rank_accounts_changed', '0008'),
    ...functionStatements('rank_watchlist_changed', '0008'),
    'create index rank_mentions_shared_idx on rank_mentions (campaign_id) where counted is null',
    `create table rank_mentions_hourly (
        campaign_id integer not null,
        username text not null,
        hour timestamptz not null,
        mentions integer not null,
        primary key (campaign_id, username, hour)
      ) with (fillfactor = 70)`,
    `insert into rank_mentions_hourly
     select l.campaign_id, m.username, date_trunc('hour', l.created_at, 'UTC'), count(*)
     from rank_posts l cross join unnest(l.mentions) as m(username)
     group by 1, 2, 3`,
    ...functionStatements('rank_apply', '0008'),
    ...functionStatements('rank_rebuild', '0008'),
    ...functionStatements('rank_mentions_hourly_deleted', '0008'),
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop trigger rank_mentions_hourly_deleted on campaigns',
    'drop function rank_mentions_hourly_deleted()',
    ...['inserted', 'renamed', 'deleted'].map((event) => `drop trigger rank_accounts_${event} on accounts`),
    ...['inserted', 'updated', 'deleted'].map(
      (event) => `drop trigger rank_watchlist_${event} on campaign_accounts`,
    ),
    'drop index rank_mentions_shared_idx',
    'drop function rank_accounts_changed(), rank_watchlist_changed()',
    ...functionStatements('rank_rebuild', '0002'),
    ...functionStatements('rank_apply', '0002'),
    'drop function rank_mention_counted(integer, text)',
    'drop table rank_mentions_hourly, rank_pending_names',
    'alter table rank_counts drop column accounts_mentions',
    'alter table rank_mentions drop column counted',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
