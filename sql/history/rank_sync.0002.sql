-- rank_sync, as 0002 wrote it (replaced by 0014: mentions as lower-cased usernames; 0014 keeps mention keys (accounts.mention_key)).
-- Brings the ledger rows (rank_posts) of these (campaign, post) pairs in line with posts and
-- campaign_posts, and stages the signed difference in rank_pending for rank_apply. Every writer of a
-- pair's ledger row first locks the post's row, so a pair is synced by one transaction at a time and
-- each sync reads what the previous one committed (the lock is taken in its own statement: the next
-- statement's snapshot comes after the wait). The collector's upsert already holds these locks, in id order.
-- Runs when rank_links_changed or rank_posts_changed calls it, inside the writer's transaction.
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_sync(pair_campaigns integer[], pair_posts bigint[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
   $function$;
