-- rank_mentions_hourly_deleted: A deleted campaign leaves no hourly mentions rollup (rank_mentions_hourly).
-- Runs after a delete on campaigns.
-- version: 0008 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_mentions_hourly_deleted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
     begin
       delete from rank_mentions_hourly where campaign_id = old.id;
       return null;
     end
     $function$;

DROP TRIGGER IF EXISTS rank_mentions_hourly_deleted ON campaigns;
CREATE TRIGGER rank_mentions_hourly_deleted AFTER DELETE ON campaigns FOR EACH ROW EXECUTE FUNCTION rank_mentions_hourly_deleted();
