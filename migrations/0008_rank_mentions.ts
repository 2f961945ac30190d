import { type Kysely, sql } from 'kysely';

/*
 * Mentions on the live board (issue 5, tests/bench/rank.ts): the movement reads each target
 * username's mentions on the late part of the window, [ref, to). Days come from
 * `rank_mentions_daily`, but the parts of days at either end came from the ledger, where nothing
 * indexes a mentioned username: every post of those hours was read (up to most of a day's posts, for
 * each of the two queries of each reference). `rank_mentions_hourly` answers the whole hours inside
 * those parts per username, leaving the ledger less than an hour at each end.
 *
 * Its hours are UTC hours: they only ever split the parts of days that the daily rollup leaves,
 * so any timezone's days work (offsets of 30 or 45 minutes too), and an hour is always 60 minutes.
 * Keyed by username first, as its reads are: a few usernames, a range of hours each.
 *
 * rank_apply also stops joining the upsert's RETURNING with the changes it applied (a nested loop
 * over two CTE scans); it groups the two row sets on their key instead. Same statements otherwise,
 * same tables in the same order (the new one after `rank_mentions_daily`, see 0002 on lock order).
 */
const rankApply = `create or replace function rank_apply() returns trigger
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
     -- Each account's written totals beside its change, by grouping the two row sets on the key: a
     -- join of two CTE scans is planned as a nested loop (rows x rows comparisons per page).
     paired as (
       select campaign_id, account_id,
         max(posts) filter (where written) as posts, max(posts) filter (where not written) as d_posts,
         max(reposts) filter (where written) as reposts, max(reposts) filter (where not written) as d_reposts,
         max(engagement) filter (where written) as engagement,
         max(engagement) filter (where not written) as d_engagement,
         max(impressions) filter (where written) as impressions,
         max(impressions) filter (where not written) as d_impressions
       from (
         select campaign_id, account_id, posts, reposts, engagement, impressions, true as written from totals
         union all
         select campaign_id, account_id, posts, reposts, engagement, impressions, false from delta
       ) both_sides
       group by campaign_id, account_id
     ),
     counted as (
       select campaign_id,
         sum((posts > 0)::int - (posts - d_posts > 0)::int)::int as accounts_posts,
         sum((reposts > 0)::int - (reposts - d_reposts > 0)::int)::int as accounts_reposts,
         sum((engagement > 0)::int - (engagement - d_engagement > 0)::int)::int as accounts_engagement,
         sum((impressions > 0)::int - (impressions - d_impressions > 0)::int)::int as accounts_impressions,
         sum((posts + reposts > 0)::int - (posts + reposts - d_posts - d_reposts > 0)::int)::int
           as authors,
         sum(d_posts) as sum_posts, sum(d_reposts) as sum_reposts,
         sum(d_engagement) as sum_engagement, sum(d_impressions) as sum_impressions
       from paired
       group by campaign_id
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

     insert into rank_mentions_hourly
     select s.campaign_id, m.username, date_trunc('hour', s.created_at, 'UTC'), sum(s.sign)
     from rank_pending s join campaigns c on c.id = s.campaign_id
     cross join unnest(s.mentions) as m(username)
     where s.txid = tx
     group by 1, 2, 3 having sum(s.sign) <> 0
     order by 1, 2, 3
     on conflict (campaign_id, username, hour) do update
       set mentions = rank_mentions_hourly.mentions + excluded.mentions;

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
   $fn$`;

const rankRebuild = `create or replace function rank_rebuild(target integer) returns void
   language plpgsql as $fn$
   begin
     lock table rank_posts in share row exclusive mode;
     delete from rank_posts where campaign_id = target;
     delete from rank_totals where campaign_id = target;
     delete from rank_daily where campaign_id = target;
     delete from rank_mentions where campaign_id = target;
     delete from rank_mentions_daily where campaign_id = target;
     delete from rank_mentions_hourly where campaign_id = target;
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

     insert into rank_mentions_hourly
     select l.campaign_id, m.username, date_trunc('hour', l.created_at, 'UTC'), count(*)
     from rank_posts l cross join unnest(l.mentions) as m(username)
     where l.campaign_id = target
     group by 1, 2, 3;

     insert into rank_query_hourly
     select l.campaign_id, q.query_id, date_trunc('hour', l.created_at, c.timezone), count(*)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     cross join unnest(l.query_ids) as q(query_id)
     where l.campaign_id = target and not l.repost
     group by 1, 2, 3;
   end
   $fn$`;

// The 0002 definitions, restored by `down`.
const rankApply0002 = `create or replace function rank_apply() returns trigger
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
   $fn$`;

const rankRebuild0002 = `create or replace function rank_rebuild(target integer) returns void
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
   $fn$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
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
    rankApply,
    rankRebuild,
    `create function rank_mentions_hourly_deleted() returns trigger
     language plpgsql as $fn$
     begin
       delete from rank_mentions_hourly where campaign_id = old.id;
       return null;
     end
     $fn$`,
    `create trigger rank_mentions_hourly_deleted after delete on campaigns
       for each row execute function rank_mentions_hourly_deleted()`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop trigger rank_mentions_hourly_deleted on campaigns',
    'drop function rank_mentions_hourly_deleted()',
    rankRebuild0002,
    rankApply0002,
    'drop table rank_mentions_hourly',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
