import { sql } from 'kysely';
import { insertAccountSnapshots, markSuspended, upsertAccounts } from '../db/accounts.ts';
import { watchlist } from '../db/campaigns.ts';
import { maxPageSize } from '../x/fields.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './run.ts';

/**
 * Reads the follower counts of the campaign's home account and watchlist, 100 per request, and
 * keeps every reading as a snapshot: X keeps no follower history, these rows are the history.
 */
export async function snapshotWatchlist(
  ctx: CollectContext,
  campaignId: number,
): Promise<{ snapshots: number }> {
  const accounts = await watchlist(ctx.db, campaignId);
  const usernames = accounts.map((account) => account.username);
  return recordRun(ctx, { campaignId, kind: 'snapshot', target: 'watchlist' }, async (counts) => {
    let snapshots = 0;
    for (let i = 0; i < usernames.length; i += maxPageSize.lookup) {
      const batch = usernames.slice(i, i + maxPageSize.lookup);
      const lookup = await ctx.x.usersByUsernames(batch);
      counts.requests++;
      const now = ctx.clock.now();
      snapshots += await ctx.db.transaction().execute(async (trx) => {
        await upsertAccounts(trx, lookup.items, now);
        const inserted = await insertAccountSnapshots(trx, lookup.items, now);
        for (const user of lookup.items) {
          await trx
            .updateTable('campaign_accounts')
            .set({ account_id: user.id })
            .where('campaign_id', '=', campaignId)
            .where(sql<string>`lower(username)`, '=', user.username.toLowerCase())
            .execute();
        }
        // Only problems about the usernames asked for: others concern accounts those users mention.
        const suspended = lookup.problems.filter(
          (p) => p.parameter === 'usernames' && p.suspended && p.value,
        );
        await markSuspended(
          trx,
          suspended.map((p) => p.value as string),
        );
        return inserted;
      });
      for (const problem of lookup.problems) {
        ctx.log.warn(
          { campaignId, username: problem.value, problem: problem.problem },
          'watchlist account did not resolve',
        );
      }
    }
    return { snapshots };
  });
}
