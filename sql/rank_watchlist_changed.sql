-- rank_watchlist_changed: A change of a campaign's watchlist stages the mention keys of the accounts it names (an X
-- username lower-cased, and the key of each account known under the handle on its network) for
-- rank_apply: watchlist accounts are ranked on the mentions board whether they posted or not.
-- Runs after each statement inserting, updating or deleting campaign_accounts.
-- version: 0014 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_watchlist_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
   begin
     if tg_op in ('INSERT', 'UPDATE') then
       insert into rank_pending_names
       select txid_current(), w.campaign_id, k.key from new_watchlist w
       cross join lateral (select case when w.network = 'x' then lower(w.username) end
         union select a.mention_key from accounts a
           where a.id = w.account_id or (a.network = w.network and lower(a.username) = lower(w.username))
       ) as k(key)
       where k.key is not null;
     end if;
     if tg_op in ('DELETE', 'UPDATE') then
       insert into rank_pending_names
       select txid_current(), w.campaign_id, k.key from old_watchlist w
       cross join lateral (select case when w.network = 'x' then lower(w.username) end
         union select a.mention_key from accounts a
           where a.id = w.account_id or (a.network = w.network and lower(a.username) = lower(w.username))
       ) as k(key)
       where k.key is not null;
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
