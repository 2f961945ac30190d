import { type Kysely, sql } from 'kysely';

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

  /*
   * Brings the ledger rows of these (campaign, post) pairs in line with posts and campaign_posts,
   * and stages the difference. Every writer of a pair's ledger row first locks the post's row, so a
   * pair is synced by one transaction at a time and each sync reads what the previous one committed
   * (the lock is taken in its own statement: the next statement's snapshot comes after the wait).
   * The collector's upsert already holds these locks, in id order.
   */
  `create function rank_sync(pair_campaigns integer[], pair_posts bigint[]) returns void
   language plpgsql as $fn$
   declare
     staged integer;
   begin
     perform 1 from posts where id = any(pair_posts) order by id for no key update;
     with affected as (
       select distinct a.campaign_id, a.post_id
       from unnest(pair_campaigns, pair_posts) as a(campaign_id, post_id)
       where exists (select 1 from campaigns c where c.id = a.campaign_id)
     ),
     wanted as (
       select a.campaign_id, a.post_id, p.author_id, p.created_at, p.kind = 'repost' as repost,
         case when p.kind = 'repost' then 0
              else p.like_count::bigint + p.repost_count + p.reply_count + p.quote_count end as engagement,
         case when p.kind = 'repost' then 0 else coalesce(p.impression_count, 0) end as impressions,
         case when p.kind = 'repost' then '{}'::text[]
              else array(select distinct lower(m) from unnest(p.mentions) as m
                         where lower(m) <> lower(author.username) order by 1) end as mentions,
         links.query_ids
       from affected a
       join posts p on p.id = a.post_id
       join accounts author on author.id = p.author_id
       cross join lateral (
         select array_agg(cp.query_id order by cp.query_id) as query_ids
         from campaign_posts cp where cp.campaign_id = a.campaign_id and cp.post_id = a.post_id
       ) links
       where not p.deleted and links.query_ids is not null
     ),
     had as (
       select l.* from rank_posts l join affected a using (campaign_id, post_id)
     ),
     gone as (
       delete from rank_posts l using affected a
       where l.campaign_id = a.campaign_id and l.post_id = a.post_id
         and not exists (select 1 from wanted w where w.campaign_id = l.campaign_id and w.post_id = l.post_id)
     ),
     put as (
       insert into rank_posts
       select * from wanted order by campaign_id, post_id
       on conflict (campaign_id, post_id) do update set
         author_id = excluded.author_id, created_at = excluded.created_at, repost = excluded.repost,
         engagement = excluded.engagement, impressions = excluded.impressions,
         mentions = excluded.mentions, query_ids = excluded.query_ids
       where (rank_posts.author_id, rank_posts.created_at, rank_posts.repost, rank_posts.engagement,
              rank_posts.impressions, rank_posts.mentions, rank_posts.query_ids)
         is distinct from (excluded.author_id, excluded.created_at, excluded.repost, excluded.engagement,
              excluded.impressions, excluded.mentions, excluded.query_ids)
     ),
     changes as (
       select h.campaign_id, h.author_id, h.created_at, h.repost, h.engagement, h.impressions,
         h.mentions, h.query_ids, -1 as sign
       from had h
       where not exists (
         select 1 from wanted w
         where (w.campaign_id, w.post_id, w.author_id, w.created_at, w.repost, w.engagement,
                w.impressions, w.mentions, w.query_ids)
           = (h.campaign_id, h.post_id, h.author_id, h.created_at, h.repost, h.engagement,
                h.impressions, h.mentions, h.query_ids))
       union all
       select w.campaign_id, w.author_id, w.created_at, w.repost, w.engagement, w.impressions,
         w.mentions, w.query_ids, 1
       from wanted w
       where not exists (
         select 1 from had h
         where (w.campaign_id, w.post_id, w.author_id, w.created_at, w.repost, w.engagement,
                w.impressions, w.mentions, w.query_ids)
           = (h.campaign_id, h.post_id, h.author_id, h.created_at, h.repost, h.engagement,
                h.impressions, h.mentions, h.query_ids))
     )
     insert into rank_pending
     select txid_current(), campaign_id, author_id, created_at, repost, engagement, impressions,
       mentions, query_ids, sign
     from changes;
     get diagnostics staged = row_count;
     if staged > 0 then
       insert into rank_pending_txn values (txid_current()) on conflict do nothing;
     end if;
   end
   $fn$`,

  /*
   * Folds this transaction's staged changes into the rollups: one statement per table, rows in key
   * order, tables always in the same order (see the top of this file).
   */
  `create function rank_apply() returns trigger
   language plpgsql as $fn$
   declare
     tx bigint := new.txid;
   begin
     with staged as (
       select s.*, s.created_at >= c.window_start and s.created_at < c.window_end as in_window
       from rank_pending s join campaigns c on c.id = s.campaign_id
       where s.txid = tx
     ),
     delta as (
       select campaign_id, author_id as account_id,
         sum(sign * (not repost)::int)::int as posts, sum(sign * repost::int)::int as reposts,
         sum(sign * engagement)::bigint as engagement, sum(sign * impressions)::bigint as impressions
       from staged where in_window
       group by campaign_id, author_id
       having sum(sign * (not repost)::int) <> 0 or sum(sign * repost::int) <> 0
         or sum(sign * engagement) <> 0 or sum(sign * impressions) <> 0
     ),
     totals as (
       insert into rank_totals
       select * from delta order by campaign_id, account_id
       on conflict (campaign_id, account_id) do update set
         posts = rank_totals.posts + excluded.posts, reposts = rank_totals.reposts + excluded.reposts,
         engagement = rank_totals.engagement + excluded.engagement,
         impressions = rank_totals.impressions + excluded.impressions
       returning *
     ),
     counted as (
       select t.campaign_id,
         sum((t.posts > 0)::int - (t.posts - d.posts > 0)::int)::int as accounts_posts,
         sum((t.reposts > 0)::int - (t.reposts - d.reposts > 0)::int)::int as accounts_reposts,
         sum((t.engagement > 0)::int - (t.engagement - d.engagement > 0)::int)::int as accounts_engagement,
         sum((t.impressions > 0)::int - (t.impressions - d.impressions > 0)::int)::int as accounts_impressions,
         sum((t.posts + t.reposts > 0)::int - (t.posts + t.reposts - d.posts - d.reposts > 0)::int)::int
           as authors,
         sum(d.posts) as sum_posts, sum(d.reposts) as sum_reposts,
         sum(d.engagement) as sum_engagement, sum(d.impressions) as sum_impressions
       from totals t join delta d using (campaign_id, account_id)
       group by t.campaign_id
     )
     insert into rank_counts
     select * from counted order by campaign_id
     on conflict (campaign_id) do update set
       accounts_posts = rank_counts.accounts_posts + excluded.accounts_posts,
       accounts_reposts = rank_counts.accounts_reposts + excluded.accounts_reposts,
       accounts_engagement = rank_counts.accounts_engagement + excluded.accounts_engagement,
       accounts_impressions = rank_counts.accounts_impressions + excluded.accounts_impressions,
       authors = rank_counts.authors + excluded.authors,
       sum_posts = rank_counts.sum_posts + excluded.sum_posts,
       sum_reposts = rank_counts.sum_reposts + excluded.sum_reposts,
       sum_engagement = rank_counts.sum_engagement + excluded.sum_engagement,
       sum_impressions = rank_counts.sum_impressions + excluded.sum_impressions;

     insert into rank_daily
     select s.campaign_id, date_trunc('day', s.created_at, c.timezone), s.author_id,
       sum(s.sign * (not s.repost)::int), sum(s.sign * s.repost::int),
       sum(s.sign * s.engagement), sum(s.sign * s.impressions)
     from rank_pending s join campaigns c on c.id = s.campaign_id
     where s.txid = tx
     group by 1, 2, 3
     having sum(s.sign * (not s.repost)::int) <> 0 or sum(s.sign * s.repost::int) <> 0
       or sum(s.sign * s.engagement) <> 0 or sum(s.sign * s.impressions) <> 0
     order by 1, 2, 3
     on conflict (campaign_id, day, account_id) do update set
       posts = rank_daily.posts + excluded.posts, reposts = rank_daily.reposts + excluded.reposts,
       engagement = rank_daily.engagement + excluded.engagement,
       impressions = rank_daily.impressions + excluded.impressions;

     insert into rank_mentions
     select s.campaign_id, m.username, sum(s.sign)
     from rank_pending s join campaigns c on c.id = s.campaign_id
     cross join unnest(s.mentions) as m(username)
     where s.txid = tx and s.created_at >= c.window_start and s.created_at < c.window_end
     group by 1, 2 having sum(s.sign) <> 0
     order by 1, 2
     on conflict (campaign_id, username) do update set mentions = rank_mentions.mentions + excluded.mentions;

     insert into rank_mentions_daily
     select s.campaign_id, date_trunc('day', s.created_at, c.timezone), m.username, sum(s.sign)
     from rank_pending s join campaigns c on c.id = s.campaign_id
     cross join unnest(s.mentions) as m(username)
     where s.txid = tx
     group by 1, 2, 3 having sum(s.sign) <> 0
     order by 1, 2, 3
     on conflict (campaign_id, day, username) do update
       set mentions = rank_mentions_daily.mentions + excluded.mentions;

     insert into rank_query_hourly
     select s.campaign_id, q.query_id, date_trunc('hour', s.created_at, c.timezone), sum(s.sign)
     from rank_pending s join campaigns c on c.id = s.campaign_id
     cross join unnest(s.query_ids) as q(query_id)
     where s.txid = tx and not s.repost
     group by 1, 2, 3 having sum(s.sign) <> 0
     order by 1, 2, 3
     on conflict (campaign_id, query_id, hour) do update set posts = rank_query_hourly.posts + excluded.posts;

     delete from rank_pending where txid = tx;
     delete from rank_pending_txn where txid = tx;
     return null;
   end
   $fn$`,
  `create constraint trigger rank_apply_at_commit after insert on rank_pending_txn
     deferrable initially deferred for each row execute function rank_apply()`,

  `create function rank_links_changed() returns trigger
   language plpgsql as $fn$
   begin
     perform rank_sync(array_agg(campaign_id), array_agg(post_id))
     from (select distinct campaign_id, post_id from changed) pairs
     having count(*) > 0;
     return null;
   end
   $fn$`,
  `create trigger rank_links_inserted after insert on campaign_posts
     referencing new table as changed for each statement execute function rank_links_changed()`,
  `create trigger rank_links_deleted after delete on campaign_posts
     referencing old table as changed for each statement execute function rank_links_changed()`,

  // Only changes that move a contribution; the campaigns loop keeps every lookup on the
  // (campaign_id, post_id) indexes, campaigns being few.
  `create function rank_posts_changed() returns trigger
   language plpgsql as $fn$
   begin
     perform rank_sync(array_agg(pairs.campaign_id), array_agg(pairs.post_id))
     from (
       select c.id as campaign_id, n.id as post_id
       from new_posts n
       join old_posts o on o.id = n.id
       cross join campaigns c
       where (n.deleted, n.kind, n.author_id, n.created_at, n.like_count, n.repost_count, n.reply_count,
              n.quote_count, n.impression_count, n.mentions)
           is distinct from (o.deleted, o.kind, o.author_id, o.created_at, o.like_count, o.repost_count,
              o.reply_count, o.quote_count, o.impression_count, o.mentions)
         and exists (select 1 from campaign_posts cp where cp.campaign_id = c.id and cp.post_id = n.id)
     ) pairs
     having count(*) > 0;
     return null;
   end
   $fn$`,
  `create trigger rank_posts_updated after update on posts
     referencing old table as old_posts new table as new_posts
     for each statement execute function rank_posts_changed()`,

  /*
   * Recomputes every rollup of a campaign from posts and campaign_posts: when its window or timezone
   * changes (totals and days depend on them), and after a bulk load that bypassed the triggers.
   * Writers wait meanwhile (the table lock), so no change is folded twice or lost.
   */
  `create function rank_rebuild(target integer) returns void
   language plpgsql as $fn$
   begin
     lock table rank_posts in share row exclusive mode;
     delete from rank_posts where campaign_id = target;
     delete from rank_totals where campaign_id = target;
     delete from rank_daily where campaign_id = target;
     delete from rank_mentions where campaign_id = target;
     delete from rank_mentions_daily where campaign_id = target;
     delete from rank_query_hourly where campaign_id = target;
     delete from rank_counts where campaign_id = target;

     insert into rank_posts
     select links.campaign_id, p.id, p.author_id, p.created_at, p.kind = 'repost',
       case when p.kind = 'repost' then 0
            else p.like_count::bigint + p.repost_count + p.reply_count + p.quote_count end,
       case when p.kind = 'repost' then 0 else coalesce(p.impression_count, 0) end,
       case when p.kind = 'repost' then '{}'::text[]
            else array(select distinct lower(m) from unnest(p.mentions) as m
                       where lower(m) <> lower(author.username) order by 1) end,
       links.query_ids
     from (
       select campaign_id, post_id, array_agg(query_id order by query_id) as query_ids
       from campaign_posts where campaign_id = target group by campaign_id, post_id
     ) links
     join posts p on p.id = links.post_id
     join accounts author on author.id = p.author_id
     where not p.deleted;

     insert into rank_totals
     select l.campaign_id, l.author_id, count(*) filter (where not l.repost), count(*) filter (where l.repost),
       sum(l.engagement), sum(l.impressions)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     where l.campaign_id = target and l.created_at >= c.window_start and l.created_at < c.window_end
     group by 1, 2;

     insert into rank_counts
     select target, count(*) filter (where posts > 0), count(*) filter (where reposts > 0),
       count(*) filter (where engagement > 0), count(*) filter (where impressions > 0),
       count(*) filter (where posts + reposts > 0),
       coalesce(sum(posts), 0), coalesce(sum(reposts), 0), coalesce(sum(engagement), 0),
       coalesce(sum(impressions), 0)
     from rank_totals where campaign_id = target;

     insert into rank_daily
     select l.campaign_id, date_trunc('day', l.created_at, c.timezone), l.author_id,
       count(*) filter (where not l.repost), count(*) filter (where l.repost),
       sum(l.engagement), sum(l.impressions)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     where l.campaign_id = target
     group by 1, 2, 3;

     insert into rank_mentions
     select l.campaign_id, m.username, count(*)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     cross join unnest(l.mentions) as m(username)
     where l.campaign_id = target and l.created_at >= c.window_start and l.created_at < c.window_end
     group by 1, 2;

     insert into rank_mentions_daily
     select l.campaign_id, date_trunc('day', l.created_at, c.timezone), m.username, count(*)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     cross join unnest(l.mentions) as m(username)
     where l.campaign_id = target
     group by 1, 2, 3;

     insert into rank_query_hourly
     select l.campaign_id, q.query_id, date_trunc('hour', l.created_at, c.timezone), count(*)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     cross join unnest(l.query_ids) as q(query_id)
     where l.campaign_id = target and not l.repost
     group by 1, 2, 3;
   end
   $fn$`,
  `create function rank_campaign_changed() returns trigger
   language plpgsql as $fn$
   begin
     perform rank_rebuild(new.id);
     return null;
   end
   $fn$`,
  `create trigger rank_campaign_calendar_changed after update of window_start, window_end, timezone on campaigns
     for each row
     when (old.window_start is distinct from new.window_start or old.window_end is distinct from new.window_end
           or old.timezone is distinct from new.timezone)
     execute function rank_campaign_changed()`,
  // The links go by cascade, and their trigger finds no campaign to sync: clear the rollups here.
  `create function rank_campaign_deleted() returns trigger
   language plpgsql as $fn$
   begin
     delete from rank_posts where campaign_id = old.id;
     delete from rank_totals where campaign_id = old.id;
     delete from rank_daily where campaign_id = old.id;
     delete from rank_mentions where campaign_id = old.id;
     delete from rank_mentions_daily where campaign_id = old.id;
     delete from rank_query_hourly where campaign_id = old.id;
     delete from rank_counts where campaign_id = old.id;
     return null;
   end
   $fn$`,
  `create trigger rank_campaign_deleted after delete on campaigns
     for each row execute function rank_campaign_deleted()`,
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
