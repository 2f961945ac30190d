-- rank_posts_changed, as 0002 wrote it (replaced by 0005): an updated post whose contribution moved
-- (deleted, kind, author, time, counts, mentions) is synced in each campaign that links it. Every
-- update runs the whole comparison, and links are found by an `exists` per campaign and post;
-- 0005 made updates that move nothing leave early and probe links by (campaign_id, post_id).
-- Runs after each statement updating posts (every upsert of a page of the collector).
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_posts_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
   $function$;

DROP TRIGGER IF EXISTS rank_posts_updated ON posts;
CREATE TRIGGER rank_posts_updated AFTER UPDATE ON posts REFERENCING OLD TABLE AS old_posts NEW TABLE AS new_posts FOR EACH STATEMENT EXECUTE FUNCTION rank_posts_changed();
