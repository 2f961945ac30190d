import { findQuery } from '../db/campaigns.ts';
import { postIdTime, recentSearchReachMs } from '../x/ids.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './run.ts';
import { storeSearchPage } from './store-page.ts';

export interface PollResult {
  pages: number;
  postsNew: number;
}

/**
 * Fetches what a campaign query matched since the newest post stored, pages of 100 until caught up.
 *
 * The cursor (`newest_id`) moves with the last page, in its transaction: a poll cut short is
 * replayed whole next time, and the upserts make the replay harmless. A query never polled has no
 * cursor, so its first poll walks back as far as recent search reaches (7 days).
 */
export async function pollQuery(ctx: CollectContext, queryId: number): Promise<PollResult> {
  const query = await findQuery(ctx.db, queryId);
  if (!query?.active) return { pages: 0, postsNew: 0 };
  const { pages, postsNew } = await recordRun(
    ctx,
    { campaignId: query.campaign_id, kind: 'poll', target: query.query },
    async (counts) => {
      let nextToken: string | null = null;
      let newestId: string | null = null;
      const sinceId = usableSinceId(query.newest_id, ctx.clock.now());
      let pages = 0;
      do {
        const page = await ctx.x.searchRecent({ query: query.query, sinceId, nextToken });
        counts.requests++;
        pages++;
        newestId ??= page.newestId;
        nextToken = page.nextToken;
        const stored = await storeSearchPage(ctx, {
          campaignId: query.campaign_id,
          queryId: query.id,
          page,
          newestId: nextToken ? null : newestId,
        });
        counts.postsNew += stored.postsNew;
        counts.postsUpdated += stored.postsUpdated;
      } while (nextToken);
      return { pages, postsNew: counts.postsNew };
    },
  );
  return { pages, postsNew };
}

/**
 * X answers 400 to a `since_id` older than recent search's 7-day reach. When the newest stored
 * post is that old, nothing newer is stored either, so polling the whole reach loses nothing.
 */
export function usableSinceId(newestId: string | null, now: Date): string | null {
  if (!newestId) return null;
  // An hour's margin: the request must still be valid when X receives it.
  return postIdTime(newestId) > now.getTime() - recentSearchReachMs + 3600_000 ? newestId : null;
}
