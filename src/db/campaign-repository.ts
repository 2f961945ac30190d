import { type Insertable, sql } from 'kysely';
import type { Db } from './database.ts';
import type { AccountRole, Campaign, CampaignQuery, CampaignTable, Network } from './schema.ts';

/**
 * A campaign and what defines it: its queries per network (`campaign_queries`), its entities (the
 * home organisation and the watchlist, `campaign_entities`) and their accounts on each network
 * (`campaign_accounts`). Written from the campaign file (src/campaigns/apply.ts) and the admin
 * routes, with the same semantics: handles compared case-insensitively, a known account linked at
 * once, a dropped query retired (its posts and cursors stay; adding it back resumes it), never
 * deleted. The admin routes edit the X side, as in the first wave: an X username they add is an
 * entity of its own (or joins the entity of that name).
 */

export async function findCampaign(db: Db, slug: string): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function listCampaigns(db: Db): Promise<Campaign[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('window_start', 'desc').execute();
}

/** The campaign's active queries on one network (X unless asked). */
export async function activeQueries(
  db: Db,
  campaignId: number,
  network: Network = 'x',
): Promise<CampaignQuery[]> {
  return db
    .selectFrom('campaign_queries')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('network', '=', network)
    .where('active', '=', true)
    .orderBy('id')
    .execute();
}

export async function findQuery(db: Db, queryId: number): Promise<CampaignQuery | undefined> {
  return db.selectFrom('campaign_queries').selectAll().where('id', '=', queryId).executeTakeFirst();
}

/** The watched accounts on one network (X unless asked): the home entity's first, then the peers', as written in the campaign. */
export async function watchlist(db: Db, campaignId: number, network: Network = 'x') {
  return db
    .selectFrom('campaign_accounts as w')
    .innerJoin('campaign_entities as e', 'e.id', 'w.entity_id')
    .select(['w.username', 'w.role', 'w.account_id'])
    .where('w.campaign_id', '=', campaignId)
    .where('w.network', '=', network)
    .orderBy(sql`w.role = 'home'`, 'desc')
    .orderBy('e.position')
    .orderBy('w.username')
    .execute();
}

export async function campaignById(db: Db, campaignId: number): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
}

/** The X watchlist without the home account, in the campaign file's order. */
export async function peersOf(db: Db, campaignId: number): Promise<string[]> {
  return (await watchlist(db, campaignId)).filter((row) => row.role === 'peer').map((row) => row.username);
}

/** What the admin section lists for a campaign: its X queries (active first) and its X watchlist. */
export async function adminLists(db: Db, campaignId: number) {
  const [queries, accounts] = await Promise.all([
    db
      .selectFrom('campaign_queries')
      .select(['id', 'query', 'active', 'backfill_done'])
      .where('campaign_id', '=', campaignId)
      .where('network', '=', 'x')
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

/** A query as the campaign file names it: on a network, at an instance for Mastodon ('' elsewhere). */
export interface QueryKey {
  network: Network;
  instance: string;
  query: string;
}

/** Every query of the campaign, retired ones included. */
export async function queriesOf(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_queries')
    .select(['id', 'network', 'instance', 'query', 'active'])
    .where('campaign_id', '=', campaignId)
    .execute();
}

/** Adds the queries, bringing retired ones back. */
export async function activateQueries(db: Db, campaignId: number, queries: QueryKey[]): Promise<void> {
  if (queries.length === 0) return;
  await db
    .insertInto('campaign_queries')
    .values(queries.map((q) => ({ campaign_id: campaignId, ...q })))
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'network', 'instance', 'query']).doUpdateSet({ active: true }),
    )
    .execute();
}

export async function retireQueries(db: Db, campaignId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('campaign_queries')
    .set({ active: false })
    .where('campaign_id', '=', campaignId)
    .where('id', 'in', ids)
    .execute();
}

/** The campaign's entities with their accounts, in the campaign file's order. */
export async function entitiesOf(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_entities as e')
    .leftJoin('campaign_accounts as w', 'w.entity_id', 'e.id')
    .select(['e.id', 'e.name', 'e.role', 'w.network', 'w.username', 'w.account_id'])
    .where('e.campaign_id', '=', campaignId)
    .orderBy('e.position')
    .orderBy('w.network')
    .execute();
}

/** An entity as the campaign file names it, with its handle on each network it has an account on. */
export interface WantedEntity {
  name: string;
  role: AccountRole;
  accounts: Array<{ network: Network; username: string }>;
}

/**
 * Makes the campaign's entities and their accounts exactly these, in this order: an entity is
 * matched by its name and an account by (network, handle), case-insensitively, so an account that
 * moves to another entity keeps its row (its account id and timeline cursor). Returns the accounts
 * added and removed.
 */
export async function saveEntities(
  db: Db,
  campaignId: number,
  wanted: WantedEntity[],
): Promise<{
  added: Array<{ network: Network; username: string }>;
  removed: Array<{ network: Network; username: string }>;
}> {
  const lower = (text: string) => text.toLowerCase();
  const accountKey = (a: { network: string; username: string }) => `${a.network}:${lower(a.username)}`;
  const before = await db
    .selectFrom('campaign_accounts')
    .select(['network', 'username'])
    .where('campaign_id', '=', campaignId)
    .execute();

  const entityIds = new Map<string, number>();
  if (wanted.length > 0) {
    const rows = await db
      .insertInto('campaign_entities')
      .values(
        wanted.map((e, position) => ({ campaign_id: campaignId, name: e.name, role: e.role, position })),
      )
      .onConflict((oc) =>
        oc.expression(sql`campaign_id, lower(name)`).doUpdateSet({
          name: sql`excluded.name`,
          role: sql`excluded.role`,
          position: sql`excluded.position`,
        }),
      )
      .returning(['id', 'name'])
      .execute();
    for (const row of rows) entityIds.set(lower(row.name), row.id);
  }

  const accounts = wanted.flatMap((e) =>
    e.accounts.map((a) => ({
      campaign_id: campaignId,
      entity_id: entityIds.get(lower(e.name)) as number,
      network: a.network,
      username: a.username,
      role: e.role,
      // An account already collected gets its id at once; the others at their first lookup.
      account_id: knownAccountId(a.network, a.username),
    })),
  );
  const kept = new Set(accounts.map(accountKey));
  const removed = before.filter((a) => !kept.has(accountKey(a)));
  for (const network of new Set(removed.map((a) => a.network))) {
    await db
      .deleteFrom('campaign_accounts')
      .where('campaign_id', '=', campaignId)
      .where('network', '=', network)
      .where(
        sql<string>`lower(username)`,
        'in',
        removed.filter((a) => a.network === network).map((a) => lower(a.username)),
      )
      .execute();
  }
  if (accounts.length > 0) {
    await db
      .insertInto('campaign_accounts')
      .values(accounts)
      .onConflict((oc) =>
        oc.expression(sql`campaign_id, network, lower(username)`).doUpdateSet({
          entity_id: sql`excluded.entity_id`,
          role: sql`excluded.role`,
          username: sql`excluded.username`,
        }),
      )
      .execute();
  }
  await db
    .deleteFrom('campaign_entities')
    .where('campaign_id', '=', campaignId)
    .$if(entityIds.size > 0, (q) => q.where('id', 'not in', [...entityIds.values()]))
    .execute();

  const known = new Set(before.map(accountKey));
  const added = wanted.flatMap((e) => e.accounts).filter((a) => !known.has(accountKey(a)));
  return { added, removed };
}

/** The account last seen under the handle on the network, if collected already. */
const knownAccountId = (network: Network, username: string) =>
  sql<string | null>`(select id from accounts where network = ${network}
    and lower(username) = ${username.toLowerCase()} order by last_seen_at desc limit 1)`;

// The admin routes' edits, one at a time.

/**
 * Puts the X account on the watchlist as a peer: an entity of its own, named by the username, or
 * the entity of that name if the campaign has one. False when it is watched already (as a peer or
 * as the home account).
 */
export async function addPeer(db: Db, campaignId: number, username: string): Promise<boolean> {
  const existing = await db
    .selectFrom('campaign_entities')
    .select(['id', 'role'])
    .where('campaign_id', '=', campaignId)
    .where(sql<string>`lower(name)`, '=', username.toLowerCase())
    .executeTakeFirst();
  const entity =
    existing ??
    (await db
      .insertInto('campaign_entities')
      .values({
        campaign_id: campaignId,
        name: username,
        role: 'peer',
        position: sql<number>`(select coalesce(max(position) + 1, 0) from campaign_entities
          where campaign_id = ${campaignId})`,
      })
      .returning(['id', 'role'])
      .executeTakeFirstOrThrow());
  const inserted = await db
    .insertInto('campaign_accounts')
    .values({
      campaign_id: campaignId,
      entity_id: entity.id,
      network: 'x',
      username,
      role: entity.role,
      account_id: knownAccountId('x', username),
    })
    .onConflict((oc) => oc.expression(sql`campaign_id, network, lower(username)`).doNothing())
    .returning('username')
    .executeTakeFirst();
  return inserted !== undefined;
}

export type RemovePeerResult = 'removed' | 'home' | 'absent';

/** Takes the X account off the watchlist; its entity goes with it when it has no other account. */
export async function removePeer(db: Db, campaignId: number, username: string): Promise<RemovePeerResult> {
  const lower = username.toLowerCase();
  const removed = await db
    .deleteFrom('campaign_accounts')
    .where('campaign_id', '=', campaignId)
    .where('network', '=', 'x')
    .where(sql<string>`lower(username)`, '=', lower)
    .where('role', '=', 'peer')
    .returning('entity_id')
    .executeTakeFirst();
  if (removed) {
    await db
      .deleteFrom('campaign_entities')
      .where('id', '=', removed.entity_id)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('campaign_accounts').select('entity_id').where('entity_id', '=', removed.entity_id),
          ),
        ),
      )
      .execute();
    return 'removed';
  }
  const home = await db
    .selectFrom('campaign_accounts')
    .select('username')
    .where('campaign_id', '=', campaignId)
    .where('network', '=', 'x')
    .where(sql<string>`lower(username)`, '=', lower)
    .executeTakeFirst();
  return home ? 'home' : 'absent';
}

/** Adds the X query, or brings a retired one back; `changed` is false when it was already active. */
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
      .where('network', '=', 'x')
      .where('query', '=', query)
      .forUpdate()
      .executeTakeFirst();
    if (existing?.active) return { id: existing.id, changed: false };
    const row = await trx
      .insertInto('campaign_queries')
      .values({ campaign_id: campaignId, query })
      .onConflict((oc) =>
        oc.columns(['campaign_id', 'network', 'instance', 'query']).doUpdateSet({ active: true }),
      )
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
