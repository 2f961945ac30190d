-- rank_campaign_changed: A campaign's calendar (window or timezone) moved: its rollups are rebuilt.
-- Runs after an update of campaigns.window_start, window_end or timezone that changes one of them.
-- version: 0002 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_campaign_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
   begin
     perform rank_rebuild(new.id);
     return null;
   end
   $function$;

DROP TRIGGER IF EXISTS rank_campaign_calendar_changed ON campaigns;
CREATE TRIGGER rank_campaign_calendar_changed AFTER UPDATE OF window_start, window_end, timezone ON campaigns FOR EACH ROW WHEN (((old.window_start IS DISTINCT FROM new.window_start) OR (old.window_end IS DISTINCT FROM new.window_end) OR (old.timezone IS DISTINCT FROM new.timezone))) EXECUTE FUNCTION rank_campaign_changed();
