import { sql, type Transaction } from 'kysely';
import { worstCase } from '../budget/prices.ts';
import { findQuery } from '../db/campaigns.ts';
import type { Database } from '../db/schema.ts';
import { postIdTime, recentSearchReachMs } from '../networks/x/ids.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';
import { countStored, storePage } from './store-page.ts';

export interface PollResult {
  pages: number;
  postsNew: number;
}

/**
 * Fetches what a campaign query matched since the newest post stored, in pages of 100 until caught
 * up. Each page is stored with the poll's progress (`poll_next_token`), so an interrupted poll
 * resumes at its next page; the cursor (`newest_id`) moves with the last page.
 *
 * A query never polled has no cursor: its first poll reads one page, the newest, and leaves the
 * older posts to the backfill (which walks back from that page's oldest post).
 */
export async function pollQuery(ctx: CollectContext, queryId: number): Promise<PollResult> {
  const query = await findQuery(ctx.db, queryId);
  if (!query?.active) return { pages: 0, postsNew: 0 };
  return recordRun(
    ctx,
    { campaignId: query.campaign_id, kind: 'poll', target: query.query },
    async (counts, spending) => {
      const match = { campaignId: query.campaign_id, queryId: query.id };
      const updateQuery = (trx: Transaction<Database>) =>
        trx.updateTable('campaign_queries').where('id', '=', query.id);

      if (!query.newest_id && !query.poll_next_token) {
        await spending.allow(worstCase.searchPage);
        const observedAt = ctx.clock.now();
        const page = await ctx.x.searchRecent({ query: query.query });
        counts.requests++;
        const stored = await storePage(ctx, {
          source: 'recent',
          page,
          observedAt,
          match,
          moveCursor: (trx) =>
            page.newestId
              ? updateQuery(trx)
                  .set({
                    newest_id: page.newestId,
                    backfill_until_id: sql`coalesce(backfill_until_id, ${page.oldestId}::bigint)`,
                    backfill_done: sql`backfill_done and backfill_until_id is not null`,
                  })
                  .execute()
              : // Nothing in recent search's 7 days: nothing for the walk back either. The archive
                // part may start (src/collect/archive-query.ts); a later first poll that finds
                // posts reopens the walk back below them.
                updateQuery(trx)
                  .set({ backfill_done: true })
                  .where('backfill_until_id', 'is', null)
                  .execute(),
        });
        countStored(counts, stored);
        spending.add(stored.reads);
        return { pages: 1, postsNew: counts.postsNew };
      }

      const sinceId = usableSinceId(query.newest_id, ctx.clock.now());
      let nextToken = query.poll_next_token;
      let newestId = query.poll_newest_id;
      let pages = 0;
      do {
        await spending.allow(worstCase.searchPage);
        const observedAt = ctx.clock.now();
        const page = await ctx.x.searchRecent({ query: query.query, sinceId, nextToken });
        counts.requests++;
        pages++;
        newestId ??= page.newestId;
        nextToken = page.nextToken;
        const pollNewestId = newestId;
        const stored = await storePage(ctx, {
          source: 'recent',
          page,
          observedAt,
          match,
          moveCursor: (trx) =>
            nextToken
              ? updateQuery(trx).set({ poll_next_token: nextToken, poll_newest_id: pollNewestId }).execute()
              : updateQuery(trx)
                  .set({
                    newest_id: pollNewestId
                      ? sql`greatest(coalesce(newest_id, 0), ${pollNewestId}::bigint)`
                      : sql`newest_id`,
                    poll_next_token: null,
                    poll_newest_id: null,
                  })
                  .execute(),
        });
        countStored(counts, stored);
        spending.add(stored.reads);
      } while (nextToken);
      return { pages, postsNew: counts.postsNew };
    },
  );
}

/**
 * X answers 400 to a `since_id` or `until_id` older than recent search's 7-day reach. When the newest
 * stored post is that old, nothing newer is stored either, so polling the whole reach loses nothing.
 */
export function usableSinceId(newestId: string | null, now: Date): string | null {
  if (!newestId) return null;
  // An hour's margin: the request must still be valid when X receives it.
  return withinReach(newestId, now) ? newestId : null;
}

export function withinReach(id: string, now: Date): boolean {
  return postIdTime(id) > now.getTime() - recentSearchReachMs + 3600_000;
}
