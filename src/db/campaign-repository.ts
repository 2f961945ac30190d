import { type Insertable, sql } from 'kysely';
import type { Db } from './database.ts';
import type { Campaign, CampaignQuery, CampaignTable } from './schema.ts';

/**
 * A campaign and what defines it: its queries (`campaign_queries`) and its watchlist
 * (`campaign_accounts`). Written from the campaign file (src/campaigns/apply.ts) and the admin
 * routes, with the same semantics: usernames compared case-insensitively, a known account linked at
 * once, a dropped query retired (its posts and cursors stay; adding it back resumes it), never
 * deleted.
 */

export async function findCampaign(db: Db, slug: string): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function listCampaigns(db: Db): Promise<Campaign[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('window_start', 'desc').execute();
}

export async function activeQueries(db: Db, campaignId: number): Promise<CampaignQuery[]> {
  return db
    .selectFrom('campaign_queries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('active', '=', true)
    .orderBy('id')
    .execute();
}

export async function findQuery(db: Db, queryId: number): Promise<CampaignQuery | undefined> {
  return db.selectFrom('campaign_queries').selectAll().where('id', '=', queryId).executeTakeFirst();
}

/** Home account first, then the peers, as written in the campaign. */
export async function watchlist(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_accounts')
    .select(['username', 'role', 'account_id'])
    .where('campaign_id', '=', campaignId)
    .orderBy(sql`role = 'home'`, 'desc')
    .orderBy('added_at')
    .orderBy('username')
    .execute();
}

export async function campaignById(db: Db, campaignId: number): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
}

/** The watchlist without the home account, in the campaign file's order. */
export async function peersOf(db: Db, campaignId: number): Promise<string[]> {
  return (await watchlist(db, campaignId)).filter((row) => row.role === 'peer').map((row) => row.username);
}

/** What the admin section lists for a campaign: its queries (active first) and its watchlist. */
export async function adminLists(db: Db, campaignId: number) {
  const [queries, accounts] = await Promise.all([
    db
      .selectFrom('campaign_queries')
      .select(['id', 'query', 'active', 'backfill_done'])
      .where('campaign_id', '=', campaignId)
      .orderBy('active', 'desc')
      .orderBy('id')
      .execute(),
    watchlist(db, campaignId),
  ]);
  return { queries, accounts };
}

/** The fields of a campaign that its file sets. */
export type CampaignFields = Omit<Insertable<CampaignTable>, 'id' | 'slug' | 'created_at'>;

/** Creates the campaign of this slug, or updates it; whether it was created, and its id. */
export async function saveCampaign(
  db: Db,
  slug: string,
  fields: CampaignFields,
): Promise<{ campaignId: number; created: boolean }> {
  const existing = await db.selectFrom('campaigns').select('id').where('slug', '=', slug).executeTakeFirst();
  const campaignId = existing
    ? (
        await db
          .updateTable('campaigns')
          .set(fields)
          .where('id', '=', existing.id)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id
    : (
        await db
          .insertInto('campaigns')
          .values({ slug, ...fields })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
  return { campaignId, created: !existing };
}

/** Every query of the campaign, retired ones included. */
export async function queriesOf(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_queries')
    .select(['id', 'query', 'active'])
    .where('campaign_id', '=', campaignId)
    .execute();
}

/** Who is on the watchlist, in no particular order. */
export async function watchlistRoles(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_accounts')
    .select(['username', 'role'])
    .where('campaign_id', '=', campaignId)
    .execute();
}

/** Adds the queries, bringing retired ones back. */
export async function activateQueries(db: Db, campaignId: number, queries: string[]): Promise<void> {
  if (queries.length === 0) return;
  await db
    .insertInto('campaign_queries')
    .values(queries.map((query) => ({ campaign_id: campaignId, query })))
    .onConflict((oc) => oc.columns(['campaign_id', 'query']).doUpdateSet({ active: true }))
    .execute();
}

export async function retireQueries(db: Db, campaignId: number, queries: string[]): Promise<void> {
  if (queries.length === 0) return;
  await db
    .updateTable('campaign_queries')
    .set({ active: false })
    .where('campaign_id', '=', campaignId)
    .where('query', 'in', queries)
    .execute();
}

/** Takes the usernames (any case) off the watchlist. */
export async function removeFromWatchlist(db: Db, campaignId: number, usernames: string[]): Promise<void> {
  if (usernames.length === 0) return;
  await db
    .deleteFrom('campaign_accounts')
    .where('campaign_id', '=', campaignId)
    .where(
      sql<string>`lower(username)`,
      'in',
      usernames.map((name) => name.toLowerCase()),
    )
    .execute();
}

/** Puts the accounts on the watchlist with these roles (a username already on it takes the new role and spelling). */
export async function saveWatchlist(
  db: Db,
  campaignId: number,
  accounts: Array<{ username: string; role: 'home' | 'peer' }>,
): Promise<void> {
  await db
    .insertInto('campaign_accounts')
    .values(
      accounts.map((account) => ({
        campaign_id: campaignId,
        username: account.username,
        role: account.role,
        // An account already collected gets its id at once; the others at their first lookup.
        account_id: knownAccountId(account.username),
      })),
    )
    .onConflict((oc) =>
      oc
        .expression(sql`campaign_id, lower(username)`)
        .doUpdateSet({ role: sql`excluded.role`, username: sql`excluded.username` }),
    )
    .execute();
}

/** The account last seen under the username, if collected already. */
const knownAccountId = (username: string) =>
  sql<
    string | null
  >`(select id from accounts where lower(username) = ${username.toLowerCase()} order by last_seen_at desc limit 1)`;

// The admin routes' edits, one at a time.

/** False when the account is already on the watchlist (as a peer or as the home account). */
export async function addPeer(db: Db, campaignId: number, username: string): Promise<boolean> {
  const inserted = await db
    .insertInto('campaign_accounts')
    .values({
      campaign_id: campaignId,
      username,
      role: 'peer',
      account_id: knownAccountId(username),
    })
    .onConflict((oc) => oc.expression(sql`campaign_id, lower(username)`).doNothing())
    .returning('username')
    .executeTakeFirst();
  return inserted !== undefined;
}

export type RemovePeerResult = 'removed' | 'home' | 'absent';

export async function removePeer(db: Db, campaignId: number, username: string): Promise<RemovePeerResult> {
  const lower = username.toLowerCase();
  const removed = await db
    .deleteFrom('campaign_accounts')
    .where('campaign_id', '=', campaignId)
    .where(sql<string>`lower(username)`, '=', lower)
    .where('role', '=', 'peer')
    .returning('username')
    .executeTakeFirst();
  if (removed) return 'removed';
  const home = await db
    .selectFrom('campaign_accounts')
    .select('username')
    .where('campaign_id', '=', campaignId)
    .where(sql<string>`lower(username)`, '=', lower)
    .executeTakeFirst();
  return home ? 'home' : 'absent';
}

/** Adds the query, or brings a retired one back; `changed` is false when it was already active. */
export async function addQuery(
  db: Db,
  campaignId: number,
  query: string,
): Promise<{ id: number; changed: boolean }> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('campaign_queries')
      .select(['id', 'active'])
      .where('campaign_id', '=', campaignId)
      .where('query', '=', query)
      .forUpdate()
      .executeTakeFirst();
    if (existing?.active) return { id: existing.id, changed: false };
    const row = await trx
      .insertInto('campaign_queries')
      .values({ campaign_id: campaignId, query })
      .onConflict((oc) => oc.columns(['campaign_id', 'query']).doUpdateSet({ active: true }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, changed: true };
  });
}

/** Retires the query; undefined when the campaign has no query with this id. */
export async function retireQuery(
  db: Db,
  campaignId: number,
  queryId: number,
): Promise<{ query: string; changed: boolean } | undefined> {
  const row = await db
    .selectFrom('campaign_queries')
    .select(['query', 'active'])
    .where('campaign_id', '=', campaignId)
    .where('id', '=', queryId)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!row.active) return { query: row.query, changed: false };
  await db
    .updateTable('campaign_queries')
    .set({ active: false })
    .where('campaign_id', '=', campaignId)
    .where('id', '=', queryId)
    .execute();
  return { query: row.query, changed: true };
}
