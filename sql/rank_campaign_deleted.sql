-- rank_campaign_deleted: A deleted campaign leaves no rollups: its links go by cascade and their trigger finds no
-- campaign to sync, so the rollups are cleared here.
-- Runs after a delete on campaigns.
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_campaign_deleted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
   $function$;

DROP TRIGGER IF EXISTS rank_campaign_deleted ON campaigns;
CREATE TRIGGER rank_campaign_deleted AFTER DELETE ON campaigns FOR EACH ROW EXECUTE FUNCTION rank_campaign_deleted();
