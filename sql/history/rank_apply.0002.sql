-- rank_apply, as 0002 wrote it (replaced by 0008): folds this transaction's staged changes
-- (rank_pending) into the rollups: one statement per table, rows in key order, tables always in the
-- same order, so concurrent commits never deadlock (migrations/0002_rank_rollups.ts explains the
-- staging). It keeps no mentions `counted` flags and no rank_counts.accounts_mentions: 0008 added them.
-- Runs at commit: a deferred constraint trigger on rank_pending_txn, once per writing transaction.
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_apply()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
   $function$;

DROP TRIGGER IF EXISTS rank_apply_at_commit ON rank_pending_txn;
CREATE CONSTRAINT TRIGGER rank_apply_at_commit AFTER INSERT ON rank_pending_txn DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rank_apply();
