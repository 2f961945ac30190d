import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { Campaign, CampaignQuery } from './schema.ts';

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
