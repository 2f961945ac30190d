import { type Kysely, sql } from 'kysely';

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
 * Whether a mentioned username counts on the board: the account last seen under it is of scope
 * `all` — on the watchlist, or an author of the campaign window (src/rank/sources.ts).
 */
const rankMentionCounted = `create function rank_mention_counted(target integer, mentioned text) returns boolean
   language sql stable as $fn$
     select exists (
       select 1 from (
         select n.id from accounts n where lower(n.username) = mentioned
         order by n.last_seen_at desc, n.id limit 1
       ) named
       where named.id in (
           select coalesce(w.account_id, (select a.id from accounts a where lower(a.username) = lower(w.username)
             order by a.last_seen_at desc, a.id limit 1))
           from campaign_accounts w where w.campaign_id = target)
         or exists (select 1 from rank_totals t where t.campaign_id = target and t.account_id = named.id
           and t.posts + t.reposts > 0))
   $fn$`;

/**
 * A rank_mentions row's `counted`: whether the username counts on the board, kept by the writes
 * that can move it — or null while two accounts share the username. Which of those the username
 * names moves with every sighting (`last_seen_at`), and catching each sighting would cost every
 * page write a trigger: those few usernames are counted by the read (src/rank/leaderboard.ts).
 */
const mentionFlag = (row: string) => `case
       when (select count(*) from accounts n where lower(n.username) = ${row}.username) > 1 then null
       else ${row}.mentions > 0 and rank_mention_counted(${row}.campaign_id, ${row}.username) end`;

const rankApply = `create or replace function rank_apply() returns trigger
   language plpgsql as $fn$
   declare
     tx bigint := new.txid;
     campaign integer;
   begin
     -- The count of mentioned accounts is moved under its campaign's lock, taken before anything
     -- is read: each commit recomputes what it touched on what the previous ones committed.
     for campaign in
       select c.id from campaigns c
       where exists (select 1 from rank_pending s where s.txid = tx and s.campaign_id = c.id)
         or exists (select 1 from rank_pending_names n
                    where n.txid = tx and (n.campaign_id = c.id or n.campaign_id is null))
       order by c.id
     loop
       perform pg_advisory_xact_lock('rank_counts'::regclass::oid::int, campaign);
     end loop;

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
     -- Accounts entering or leaving the window's authors: their usernames' counts are recomputed.
     crossed as (
       insert into rank_pending_names
       select tx, p.campaign_id, lower(a.username)
       from paired p join accounts a on a.id = p.account_id
       where (p.posts + p.reposts > 0) <> (p.posts + p.reposts - p.d_posts - p.d_reposts > 0)
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

     -- Usernames whose mentions reach or leave 0 are staged, to be counted or not (below).
     with delta as (
       select s.campaign_id, m.username, sum(s.sign)::int as mentions
       from rank_pending s join campaigns c on c.id = s.campaign_id
       cross join unnest(s.mentions) as m(username)
       where s.txid = tx and s.created_at >= c.window_start and s.created_at < c.window_end
       group by 1, 2 having sum(s.sign) <> 0
     ),
     written as (
       insert into rank_mentions (campaign_id, username, mentions)
       select * from delta order by 1, 2
       on conflict (campaign_id, username) do update set mentions = rank_mentions.mentions + excluded.mentions
       returning campaign_id, username, mentions
     ),
     paired as (
       select campaign_id, username, max(mentions) filter (where written) as mentions,
         max(mentions) filter (where not written) as d_mentions
       from (
         select campaign_id, username, mentions, true as written from written
         union all
         select campaign_id, username, mentions, false from delta
       ) both_sides
       group by campaign_id, username
     )
     insert into rank_pending_names
     select tx, campaign_id, username from paired
     where (mentions > 0) <> (mentions - d_mentions > 0);

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

     -- Usernames staged by this transaction: counted or not now.
     with touched as (
       select distinct c.id as campaign_id, k.username
       from rank_pending_names k
       join campaigns c on c.id = k.campaign_id or k.campaign_id is null
       where k.txid = tx
     ),
     flags as (
       select m.campaign_id, m.username, m.counted as was,
         ${mentionFlag('m')} as counted
       from touched t join rank_mentions m using (campaign_id, username)
     ),
     flipped as (
       update rank_mentions m set counted = f.counted
       from flags f
       where m.campaign_id = f.campaign_id and m.username = f.username
         and m.counted is distinct from f.counted
       returning m.campaign_id, coalesce(m.counted::int, 0) - coalesce(f.was::int, 0) as change
     )
     insert into rank_counts (campaign_id, accounts_posts, accounts_reposts, accounts_engagement,
       accounts_impressions, authors, sum_posts, sum_reposts, sum_engagement, sum_impressions,
       accounts_mentions)
     select campaign_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(change)::int
     from flipped group by campaign_id order by campaign_id
     on conflict (campaign_id) do update
       set accounts_mentions = rank_counts.accounts_mentions + excluded.accounts_mentions;

     delete from rank_pending where txid = tx;
     delete from rank_pending_names where txid = tx;
     delete from rank_pending_txn where txid = tx;
     return null;
   end
   $fn$`;

const rankRebuild = `create or replace function rank_rebuild(target integer) returns void
   language plpgsql as $fn$
   begin
     lock table rank_posts in share row exclusive mode;
     -- After the table lock, as writers take them (rank_posts at their sync, this one at commit).
     perform pg_advisory_xact_lock('rank_counts'::regclass::oid::int, target);
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

     update rank_mentions m set counted = ${mentionFlag('m')}
     where m.campaign_id = target and m.mentions > 0;
     update rank_counts set accounts_mentions =
       (select count(*) from rank_mentions where campaign_id = target and counted)
     where campaign_id = target;
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

/*
 * Writers of accounts and of the watchlist stage the usernames whose count may move, for rank_apply
 * at commit: a new account (its username may have been mentioned, or become shared), a rename (two
 * usernames), a change of the watchlist.
 */
const rankAccountsChanged = `create function rank_accounts_changed() returns trigger
   language plpgsql as $fn$
   begin
     if tg_level = 'STATEMENT' then
       insert into rank_pending_names select txid_current(), null, lower(n.username) from new_accounts n;
       if not found then
         return null;
       end if;
     else
       insert into rank_pending_names
       select txid_current(), null, lower(username) from (values (old.username), (new.username)) as k(username)
       where username is not null;
     end if;
     insert into rank_pending_txn values (txid_current()) on conflict do nothing;
     return null;
   end
   $fn$`;

/** The watchlist's usernames, and the current usernames of its accounts (a member's key). */
const watchlistNames = (rows: string) => `
       insert into rank_pending_names
       select txid_current(), w.campaign_id, k.username from ${rows} w
       cross join lateral (select lower(w.username)
         union select lower(a.username) from accounts a where a.id = w.account_id) as k(username)`;

const rankWatchlistChanged = `create function rank_watchlist_changed() returns trigger
   language plpgsql as $fn$
   begin
     if tg_op in ('INSERT', 'UPDATE') then${watchlistNames('new_watchlist')};
     end if;
     if tg_op in ('DELETE', 'UPDATE') then${watchlistNames('old_watchlist')};
     end if;
     insert into rank_pending_txn values (txid_current()) on conflict do nothing;
     return null;
   end
   $fn$`;

/** Statement triggers with transition tables, for each kind of write. */
function stagingTriggers(prefix: string, table: string, rows: string, fn: string): string[] {
  return [
    `create trigger ${prefix}_inserted after insert on ${table}
       referencing new table as new_${rows} for each statement execute function ${fn}()`,
    `create trigger ${prefix}_updated after update on ${table}
       referencing old table as old_${rows} new table as new_${rows}
       for each statement execute function ${fn}()`,
    `create trigger ${prefix}_deleted after delete on ${table}
       referencing old table as old_${rows} for each statement execute function ${fn}()`,
  ];
}

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
    rankMentionCounted,
    `update rank_mentions m set counted = ${mentionFlag('m')} where m.mentions > 0`,
    `update rank_counts r set accounts_mentions =
       (select count(*) from rank_mentions m where m.campaign_id = r.campaign_id and m.counted)`,
    rankAccountsChanged,
    rankWatchlistChanged,
    `create trigger rank_accounts_inserted after insert on accounts
       referencing new table as new_accounts for each statement execute function rank_accounts_changed()`,
    // Row triggers: renames and deletions are rare, and the condition costs a page write nothing.
    `create trigger rank_accounts_renamed after update of username on accounts for each row
       when (lower(old.username) is distinct from lower(new.username))
       execute function rank_accounts_changed()`,
    `create trigger rank_accounts_deleted after delete on accounts
       for each row execute function rank_accounts_changed()`,
    'create index rank_mentions_shared_idx on rank_mentions (campaign_id) where counted is null',
    ...stagingTriggers('rank_watchlist', 'campaign_accounts', 'watchlist', 'rank_watchlist_changed'),
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
    ...['inserted', 'renamed', 'deleted'].map((event) => `drop trigger rank_accounts_${event} on accounts`),
    ...['inserted', 'updated', 'deleted'].map(
      (event) => `drop trigger rank_watchlist_${event} on campaign_accounts`,
    ),
    'drop index rank_mentions_shared_idx',
    'drop function rank_accounts_changed(), rank_watchlist_changed()',
    rankRebuild0002,
    rankApply0002,
    'drop function rank_mention_counted(integer, text)',
    'drop table rank_mentions_hourly, rank_pending_names',
    'alter table rank_counts drop column accounts_mentions',
    'alter table rank_mentions drop column counted',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
