import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * The admin routes' writes, with the campaign file's semantics (src/campaigns/apply.ts): usernames
 * compared case-insensitively, a known account linked at once, a dropped query retired (its posts
 * and cursors stay; adding it back resumes it), never deleted.
 */

/** False when the account is already on the watchlist (as a peer or as the home account). */
export async function addPeer(db: Db, campaignId: number, username: string): Promise<boolean> {
  const lower = username.toLowerCase();
  const inserted = await db
    .insertInto('campaign_accounts')
    .values({
      campaign_id: campaignId,
      username,
      role: 'peer',
      account_id: sql<
        string | null
      >`(select id from accounts where lower(username) = ${lower} order by last_seen_at desc limit 1)`,
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
