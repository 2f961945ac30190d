-- rank_watchlist_changed, as 0008 wrote it (replaced by 0014: stages lower-cased usernames; 0014 stages mention keys).
-- A change of a campaign's watchlist stages the usernames it names (and those of their
-- accounts) for rank_apply: watchlist accounts are ranked on the mentions board whether they posted or not.
-- Runs after each statement inserting, updating or deleting campaign_accounts.
-- version: 0008 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_watchlist_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
   begin
     if tg_op in ('INSERT', 'UPDATE') then
       insert into rank_pending_names
       select txid_current(), w.campaign_id, k.username from new_watchlist w
       cross join lateral (select lower(w.username)
         union select lower(a.username) from accounts a where a.id = w.account_id) as k(username);
     end if;
     if tg_op in ('DELETE', 'UPDATE') then
       insert into rank_pending_names
       select txid_current(), w.campaign_id, k.username from old_watchlist w
       cross join lateral (select lower(w.username)
         union select lower(a.username) from accounts a where a.id = w.account_id) as k(username);
     end if;
     insert into rank_pending_txn values (txid_current()) on conflict do nothing;
     return null;
   end
   $function$;

DROP TRIGGER IF EXISTS rank_watchlist_deleted ON campaign_accounts;
CREATE TRIGGER rank_watchlist_deleted AFTER DELETE ON campaign_accounts REFERENCING OLD TABLE AS old_watchlist FOR EACH STATEMENT EXECUTE FUNCTION rank_watchlist_changed();

DROP TRIGGER IF EXISTS rank_watchlist_inserted ON campaign_accounts;
CREATE TRIGGER rank_watchlist_inserted AFTER INSERT ON campaign_accounts REFERENCING NEW TABLE AS new_watchlist FOR EACH STATEMENT EXECUTE FUNCTION rank_watchlist_changed();

DROP TRIGGER IF EXISTS rank_watchlist_updated ON campaign_accounts;
CREATE TRIGGER rank_watchlist_updated AFTER UPDATE ON campaign_accounts REFERENCING OLD TABLE AS old_watchlist NEW TABLE AS new_watchlist FOR EACH STATEMENT EXECUTE FUNCTION rank_watchlist_changed();
