import type { Db } from './database.ts';
import type { AccountRole } from './schema.ts';

export interface UnresolvedHandle {
  campaignId: number;
  slug: string;
  username: string;
  role: AccountRole;
  /** X's answer to the lookup, e.g. "Could not find user with usernames: [No_Such_Handle]." */
  problem: string;
}

/**
 * The home and watchlist handles whose last lookup on X did not resolve them (misspelled,
 * suspended, gone), for `campaign apply` and /ops. A handle never looked up yet is not among them.
 */
export async function unresolvedHandles(db: Db, campaignId?: number): Promise<UnresolvedHandle[]> {
  let query = db
    .selectFrom('campaign_accounts')
    .innerJoin('campaigns', 'campaigns.id', 'campaign_accounts.campaign_id')
    .select([
      'campaign_accounts.campaign_id as campaignId',
      'campaigns.slug',
      'campaign_accounts.username',
      'campaign_accounts.role',
      'campaign_accounts.lookup_problem as problem',
    ])
    .where('campaign_accounts.account_id', 'is', null)
    .where('campaign_accounts.lookup_problem', 'is not', null)
    .orderBy('campaigns.slug')
    .orderBy('campaign_accounts.username');
  if (campaignId !== undefined) query = query.where('campaign_accounts.campaign_id', '=', campaignId);
  const rows = await query.execute();
  return rows.map((row) => ({ ...row, problem: row.problem ?? '' }));
}
