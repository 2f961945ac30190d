import { type Kysely, sql } from 'kysely';
import { functionStatements } from './sql-files.ts';

/*
 * Ranking per network (issues 14 and 19), on the schema of 0013.
 *
 * - Mentions are keyed by mention key (accounts.mention_key): the ledger, the mention rollups and
 *   the staged names hold an X username lower-cased as before, a Bluesky DID or a Mastodon account
 *   uri as it is (uris are case-sensitive). Their `username` columns keep their name: on X, which is
 *   every row a first-wave database holds, the key is the lower-cased username they always held.
 * - `rank_counts` is kept per (campaign, network): each board of one network reads its own count,
 *   `all` their sum. The network of an account comes from `accounts`; that of a mention key from its
 *   form (a DID is Bluesky's, another key holding ':' a Mastodon uri, an X username holds neither).
 * - Watched accounts are matched on their own network.
 *
 * Every first-wave row is an X row, so every rollup keeps its values: the existing `rank_counts`
 * rows become the campaigns' X rows.
 */
const replaced = [
  ['rank_sync', '0002'],
  ['rank_mention_counted', '0008'],
  ['rank_accounts_changed', '0008'],
  ['rank_watchlist_changed', '0008'],
  ['rank_apply', '0008'],
  ['rank_rebuild', '0008'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table rank_counts
       add column network text not null default 'x',
       drop constraint rank_counts_pkey,
       add primary key (campaign_id, network)`,
    ...replaced.flatMap(([name]) => functionStatements(name, '0014')),
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    ...replaced.flatMap(([name, version]) => functionStatements(name, version)),
    // The first wave's count of a campaign is its X count (0013's down leaves X rows alone).
    `delete from rank_counts where network <> 'x'`,
    `alter table rank_counts
       drop constraint rank_counts_pkey,
       add primary key (campaign_id),
       drop column network`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
