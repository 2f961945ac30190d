-- rank_links_changed: A post linked to or unlinked from a campaign (campaign_posts) starts or stops counting:
-- the touched (campaign, post) pairs are synced.
-- Runs after each statement inserting into or deleting from campaign_posts.
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_links_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
   begin
     perform rank_sync(array_agg(campaign_id), array_agg(post_id))
     from (select distinct campaign_id, post_id from changed) pairs
     having count(*) > 0;
     return null;
   end
   $function$;

DROP TRIGGER IF EXISTS rank_links_deleted ON campaign_posts;
CREATE TRIGGER rank_links_deleted AFTER DELETE ON campaign_posts REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rank_links_changed();

DROP TRIGGER IF EXISTS rank_links_inserted ON campaign_posts;
CREATE TRIGGER rank_links_inserted AFTER INSERT ON campaign_posts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION rank_links_changed();
