-- rank_accounts_changed, as 0008 wrote it (replaced by 0014: stages lower-cased usernames; 0014 stages mention keys).
-- Writers of accounts stage the usernames whose mentions count may move, for rank_apply at
-- commit: a new account (its username may have been mentioned, or become shared), a rename (two
-- usernames), a deletion.
-- Runs after an insert (per statement), a rename or a delete (per row) on accounts.
-- version: 0008 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_accounts_changed()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
   begin
     if tg_level = 'STATEMENT' then
       insert into rank_pending_names select txid_current(), null, lower(n.username) from new_accounts n;
       if not found then
         return null;
       end if;
     else
       insert into rank_pending_names
       select txid_current(), null, lower(username) from (values (old.username), (new.username)) as k(username)
       where username is not null;
     end if;
     insert into rank_pending_txn values (txid_current()) on conflict do nothing;
     return null;
   end
   $function$;

DROP TRIGGER IF EXISTS rank_accounts_deleted ON accounts;
CREATE TRIGGER rank_accounts_deleted AFTER DELETE ON accounts FOR EACH ROW EXECUTE FUNCTION rank_accounts_changed();

DROP TRIGGER IF EXISTS rank_accounts_inserted ON accounts;
CREATE TRIGGER rank_accounts_inserted AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_accounts FOR EACH STATEMENT EXECUTE FUNCTION rank_accounts_changed();

DROP TRIGGER IF EXISTS rank_accounts_renamed ON accounts;
CREATE TRIGGER rank_accounts_renamed AFTER UPDATE OF username ON accounts FOR EACH ROW WHEN ((lower(old.username) IS DISTINCT FROM lower(new.username))) EXECUTE FUNCTION rank_accounts_changed();
