-- rank_apply: Folds this transaction's staged changes (rank_pending, rank_pending_names) into the rollups:
-- one statement per table, rows in key order, tables always in the same order, so concurrent
-- commits never deadlock (migrations/0002_rank_rollups.ts explains the staging). Recomputes the
-- mentions board's `counted` flags and rank_counts.accounts_mentions for the staged mention keys,
-- under an advisory lock per campaign taken before its first read (migrations/0008_rank_mentions.ts).
-- rank_counts is kept per (campaign, network) (migrations/0014_rank_networks.ts).
-- Runs at commit: a deferred constraint trigger on rank_pending_txn, once per writing transaction.
-- version: 0014 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
     -- Accounts entering or leaving the window's authors: their mention keys' counts are recomputed.
     crossed as (
       insert into rank_pending_names
       select tx, p.campaign_id, a.mention_key
       from paired p join accounts a on a.id = p.account_id
       where (p.posts + p.reposts > 0) <> (p.posts + p.reposts - p.d_posts - p.d_reposts > 0)
     ),
     counted as (
       select p.campaign_id, a.network,
         sum((posts > 0)::int - (posts - d_posts > 0)::int)::int as accounts_posts,
         sum((reposts > 0)::int - (reposts - d_reposts > 0)::int)::int as accounts_reposts,
         sum((engagement > 0)::int - (engagement - d_engagement > 0)::int)::int as accounts_engagement,
         sum((impressions > 0)::int - (impressions - d_impressions > 0)::int)::int as accounts_impressions,
         sum((posts + reposts > 0)::int - (posts + reposts - d_posts - d_reposts > 0)::int)::int
           as authors,
         sum(d_posts) as sum_posts, sum(d_reposts) as sum_reposts,
         sum(d_engagement) as sum_engagement, sum(d_impressions) as sum_impressions
       from paired p join accounts a on a.id = p.account_id
       group by p.campaign_id, a.network
     )
     insert into rank_counts (campaign_id, network, accounts_posts, accounts_reposts, accounts_engagement,
       accounts_impressions, authors, sum_posts, sum_reposts, sum_engagement, sum_impressions)
     select * from counted order by campaign_id, network
     on conflict (campaign_id, network) do update set
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

     -- Mention keys whose mentions reach or leave 0 are staged, to be counted or not (below).
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

     -- Mention keys staged by this transaction: counted or not now. A key's network follows from its
     -- form (docs/ARCHITECTURE.md): a DID is Bluesky's, another key holding ':' a Mastodon uri.
     with touched as (
       select distinct c.id as campaign_id, k.username
       from rank_pending_names k
       join campaigns c on c.id = k.campaign_id or k.campaign_id is null
       where k.txid = tx
     ),
     flags as (
       select m.campaign_id, m.username, m.counted as was,
         case
       when (select count(*) from accounts n where n.mention_key = m.username) > 1 then null
       else m.mentions > 0 and rank_mention_counted(m.campaign_id, m.username) end as counted
       from touched t join rank_mentions m using (campaign_id, username)
     ),
     flipped as (
       update rank_mentions m set counted = f.counted
       from flags f
       where m.campaign_id = f.campaign_id and m.username = f.username
         and m.counted is distinct from f.counted
       returning m.campaign_id, case when m.username like 'did:%' then 'bluesky' when strpos(m.username, ':') > 0 then 'mastodon' else 'x' end as network,
         coalesce(m.counted::int, 0) - coalesce(f.was::int, 0) as change
     )
     insert into rank_counts (campaign_id, network, accounts_posts, accounts_reposts, accounts_engagement,
       accounts_impressions, authors, sum_posts, sum_reposts, sum_engagement, sum_impressions,
       accounts_mentions)
     select campaign_id, network, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(change)::int
     from flipped group by campaign_id, network order by campaign_id, network
     on conflict (campaign_id, network) do update
       set accounts_mentions = rank_counts.accounts_mentions + excluded.accounts_mentions;

     delete from rank_pending where txid = tx;
     delete from rank_pending_names where txid = tx;
     delete from rank_pending_txn where txid = tx;
     return null;
   end
   $function$;

DROP TRIGGER IF EXISTS rank_apply_at_commit ON rank_pending_txn;
CREATE CONSTRAINT TRIGGER rank_apply_at_commit AFTER INSERT ON rank_pending_txn DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rank_apply();
