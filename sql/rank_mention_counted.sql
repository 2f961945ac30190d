-- rank_mention_counted: Whether a mention key counts on the mentions board: the account last seen under it is
-- of scope `all` — on the watchlist (matched on its own network), or an author of the campaign window
-- (src/db/rank-values.ts).
-- Runs from rank_apply and rank_rebuild.
-- version: 0014 (the migration that introduced this text: sql/README.md)

CREATE OR REPLACE FUNCTION rank_mention_counted(target integer, mentioned text)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
     select exists (
       select 1 from (
         select n.id from accounts n where n.mention_key = mentioned
         order by n.last_seen_at desc, n.id limit 1
       ) named
       where named.id in (
           select coalesce(w.account_id, (select a.id from accounts a
             where a.network = w.network and lower(a.username) = lower(w.username)
             order by a.last_seen_at desc, a.id limit 1))
           from campaign_accounts w where w.campaign_id = target)
         or exists (select 1 from rank_totals t where t.campaign_id = target and t.account_id = named.id
           and t.posts + t.reposts > 0))
   $function$;
