-- rank_rebuild: Recomputes every rollup of one campaign from posts and campaign_posts: when its window or
-- timezone changes (totals and days depend on them), and after a bulk load that bypassed the
-- triggers. Writers wait meanwhile (the table lock), so no change is folded twice or lost.
-- Mentions are keyed by mention key and rank_counts kept per (campaign, network), as rank_apply does.
-- The daily rollups are written in key order: a day's rows share pages, as the triggers leave them
-- (they write a day's rows on that day), and a board of one day reads that day's pages only
-- (migrations/0019_rank_rebuild_in_key_order.ts).
-- Runs from rank_campaign_changed, and from src/rank/rollups.ts (rebuildRollups).
-- version: 0019 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_rebuild(target integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
            else array(select k.key from (
                         select distinct case when p.network = 'x' then lower(m) else m end as key
                         from unnest(p.mentions) as m) k
                       where k.key <> author.mention_key order by 1) end,
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

     insert into rank_counts (campaign_id, network, accounts_posts, accounts_reposts, accounts_engagement,
       accounts_impressions, authors, sum_posts, sum_reposts, sum_engagement, sum_impressions)
     select target, a.network, count(*) filter (where posts > 0), count(*) filter (where reposts > 0),
       count(*) filter (where engagement > 0), count(*) filter (where impressions > 0),
       count(*) filter (where posts + reposts > 0),
       sum(posts), sum(reposts), sum(engagement), sum(impressions)
     from rank_totals t join accounts a on a.id = t.account_id
     where t.campaign_id = target
     group by a.network;

     insert into rank_daily
     select l.campaign_id, date_trunc('day', l.created_at, c.timezone), l.author_id,
       count(*) filter (where not l.repost), count(*) filter (where l.repost),
       sum(l.engagement), sum(l.impressions)
     from rank_posts l join campaigns c on c.id = l.campaign_id
     where l.campaign_id = target
     group by 1, 2, 3
     order by 1, 2, 3;

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
     group by 1, 2, 3
     order by 1, 2, 3;

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

     update rank_mentions m set counted = case
       when (select count(*) from accounts n where n.mention_key = m.username) > 1 then null
       else m.mentions > 0 and rank_mention_counted(m.campaign_id, m.username) end
     where m.campaign_id = target and m.mentions > 0;
     -- A mention key's network follows from its form (docs/ARCHITECTURE.md), as in rank_apply.
     insert into rank_counts (campaign_id, network, accounts_posts, accounts_reposts, accounts_engagement,
       accounts_impressions, authors, sum_posts, sum_reposts, sum_engagement, sum_impressions,
       accounts_mentions)
     select target, case when username like 'did:%' then 'bluesky' when strpos(username, ':') > 0 then 'mastodon' else 'x' end, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*)
     from rank_mentions where campaign_id = target and counted
     group by 2
     on conflict (campaign_id, network) do update set accounts_mentions = excluded.accounts_mentions;
   end
   $function$;
