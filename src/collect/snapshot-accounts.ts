import { sql } from 'kysely';
import { worstCase } from '../budget/prices.ts';
import { insertAccountSnapshots, markSuspended, upsertAccounts } from '../db/accounts.ts';
import { watchlist } from '../db/campaigns.ts';
import type { Db } from '../db/database.ts';
import type { Network } from '../db/schema.ts';
import { recordReads } from '../db/x-reads.ts';
import { maxPageSize } from '../networks/x/fields.ts';
import type { XLookup, XUser } from '../networks/x/types.ts';
import { BudgetReachedError } from './budget.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';

/** Besides the watchlist, the followers of this many top authors (by posts) are snapshotted. */
export const topAuthorsSnapshotted = 100;

/**
 * Reads the follower counts of the campaign's home account, its watchlist and its top authors,
 * 100 per request, and keeps every reading as a snapshot: X keeps no follower history, these rows
 * are the history, from the moment the campaign is applied.
 *
 * The home account and the watchlist are read whatever the budget (a cent per account and day,
 * and a missed reading is lost for good); the top authors only while the budget allows, otherwise
 * the run ends with outcome `budget` once the watchlist is done.
 *
 * `tick` names the schedule tick the run serves: accounts already read for it are skipped, so a run
 * taken over after a crash (or a tick delivered twice) reads each account once per tick.
 */
export async function snapshotWatchlist(
  ctx: CollectContext,
  campaignId: number,
  options: { tick?: string } = {},
): Promise<{ snapshots: number }> {
  const accounts = await watchlist(ctx.db, campaignId);
  const tick = options.tick ?? null;
  const read = tick ? await readForTick(ctx, tick) : new Set<string>();
  const usernames = accounts
    .filter((account) => !(account.account_id && read.has(account.account_id)))
    .map((account) => account.username);
  const watched = new Set(accounts.flatMap((account) => (account.account_id ? [account.account_id] : [])));
  const topAuthors = (await topAuthorIds(ctx.db, campaignId)).filter(
    (id) => !watched.has(id) && !read.has(id),
  );
  if (tick && usernames.length === 0 && topAuthors.length === 0) return { snapshots: 0 };

  return recordRun(
    ctx,
    { campaignId, kind: 'snapshot', target: 'watchlist and top authors' },
    async (counts, spending) => {
      let snapshots = 0;
      // Each reading is dated when its request is sent.
      const store = async (now: Date, lookup: XLookup<XUser>, byUsername: boolean) => {
        counts.requests++;
        if (lookup.skipped > 0) {
          counts.entriesSkipped = (counts.entriesSkipped ?? 0) + lookup.skipped;
          ctx.log.warn(
            { campaignId, skipped: lookup.skipped },
            'a lookup had entries that could not be stored',
          );
        }
        snapshots += await ctx.db.transaction().execute(async (trx) => {
          await upsertAccounts(trx, lookup.items, now);
          const inserted = await insertAccountSnapshots(trx, lookup.items, now, tick);
          // Only problems about the accounts asked for: others concern accounts they mention.
          const unresolved = lookup.problems.filter((p) => p.parameter === 'usernames' && p.value);
          if (byUsername) {
            const watched = (username: string) =>
              trx
                .updateTable('campaign_accounts')
                .where('campaign_id', '=', campaignId)
                .where(sql<string>`lower(username)`, '=', username.toLowerCase());
            for (const user of lookup.items) {
              await watched(user.username).set({ account_id: user.id, lookup_problem: null }).execute();
            }
            // Kept beside the handle: `campaign apply` and /ops name it until a lookup resolves it.
            for (const problem of unresolved) {
              await watched(problem.value as string)
                .set({ lookup_problem: problem.detail || problem.title })
                .execute();
            }
          }
          const suspended = unresolved.filter((p) => p.suspended);
          await markSuspended(
            trx,
            suspended.map((p) => p.value as string),
          );
          // Last, as in storePage: every transaction takes accounts' locks before x_reads' (no deadlock).
          spending.add(
            await recordReads(trx, { at: now, postIds: [], userIds: lookup.items.map((user) => user.id) }),
          );
          return inserted;
        });
        for (const problem of lookup.problems.filter(
          (p) => p.parameter === 'usernames' || p.parameter === 'ids',
        )) {
          ctx.log.warn(
            { campaignId, account: problem.value, problem: problem.problem },
            'account did not resolve',
          );
        }
      };
      for (const batch of batches(usernames)) {
        await store(ctx.clock.now(), await ctx.x.usersByUsernames(batch), true);
      }
      try {
        for (const batch of batches(topAuthors)) {
          await spending.allow(worstCase.usersLookup(batch.length));
          await store(ctx.clock.now(), await ctx.x.usersByIds(batch), false);
        }
      } catch (error) {
        if (!(error instanceof BudgetReachedError)) throw error;
        spending.stop(`watchlist read; top authors skipped: ${error.message}`);
      }
      return { snapshots };
    },
  );
}

async function readForTick(ctx: CollectContext, tick: string): Promise<Set<string>> {
  const rows = await ctx.db
    .selectFrom('account_snapshots')
    .select('account_id')
    .where('tick', '=', tick)
    .execute();
  return new Set(rows.map((row) => row.account_id));
}

/** The campaign's most prolific authors on `network` (their row ids), most posts first. */
export async function topAuthorIds(db: Db, campaignId: number, network: Network = 'x'): Promise<string[]> {
  const { rows } = await sql<{ author_id: string }>`
    select p.author_id from posts p
    join campaigns c on c.id = ${campaignId}
    where p.network = ${network} and p.kind <> 'repost' and not p.deleted
      and p.created_at >= c.window_start and p.created_at < c.window_end
      and exists (select 1 from campaign_posts cp where cp.post_id = p.id and cp.campaign_id = ${campaignId})
    group by p.author_id
    order by count(*) desc, p.author_id
    limit ${topAuthorsSnapshotted}
  `.execute(db);
  return rows.map((row) => row.author_id);
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += maxPageSize.lookup) out.push(items.slice(i, i + maxPageSize.lookup));
  return out;
}
