import { worstCase } from '../budget/prices.ts';
import { findQuery } from '../db/campaigns.ts';
import { postIdTime, recentSearchReachMs } from '../networks/x/ids.ts';
import type { CollectContext } from './context.ts';
import { withinReach } from './poll-query.ts';
import { recordRun } from './record-run.ts';
import { countStored, storePage } from './store-page.ts';

export interface BackfillProgress {
  pages: number;
  postsNew: number;
  /** 0–1: how far back towards the 7-day horizon the walk has come */
  fraction: number;
}

export interface BackfillResult extends BackfillProgress {
  done: boolean;
}

/**
 * Walks a campaign query back through `next_token`, from below the oldest post of its first poll to
 * the 7-day reach of recent search. Each page is stored with the token of the next one, in one
 * transaction: after a crash the walk resumes from that token, without fetching any page twice.
 * `maxPages` bounds one run, so a long walk yields to other jobs between runs.
 */
export async function backfillQuery(
  ctx: CollectContext,
  queryId: number,
  options: { maxPages?: number; onProgress?: (progress: BackfillProgress) => Promise<void> | void } = {},
): Promise<BackfillResult> {
  const query = await findQuery(ctx.db, queryId);
  const untilId = query?.backfill_until_id;
  // Nothing to walk yet (the first poll sets the starting point), or nothing left.
  if (!query?.active || query.backfill_done || !untilId) {
    return {
      pages: 0,
      postsNew: 0,
      fraction: query?.backfill_done ? 1 : 0,
      done: Boolean(query?.backfill_done),
    };
  }
  const updateQuery = () => ctx.db.updateTable('campaign_queries').where('id', '=', query.id);
  if (!withinReach(untilId, ctx.clock.now())) {
    // Everything older than the starting point is beyond recent search's reach now.
    await updateQuery().set({ backfill_done: true, backfill_token: null }).execute();
    return { pages: 0, postsNew: 0, fraction: 1, done: true };
  }

  return recordRun(
    ctx,
    { campaignId: query.campaign_id, kind: 'backfill', target: query.query },
    async (counts, spending) => {
      const startMs = postIdTime(untilId);
      const horizonMs = ctx.clock.now().getTime() - recentSearchReachMs;
      let nextToken = query.backfill_token;
      let pages = 0;
      let fraction = 0;
      do {
        await spending.allow(worstCase.searchPage);
        const observedAt = ctx.clock.now();
        const page = await ctx.x.searchRecent({ query: query.query, untilId, nextToken });
        counts.requests++;
        pages++;
        nextToken = page.nextToken;
        const token = nextToken;
        const stored = await storePage(ctx, {
          source: 'recent',
          page,
          observedAt,
          match: { campaignId: query.campaign_id, queryId: query.id },
          moveCursor: (trx) =>
            trx
              .updateTable('campaign_queries')
              .where('id', '=', query.id)
              .set({ backfill_token: token, backfill_done: token === null })
              .execute(),
        });
        countStored(counts, stored);
        spending.add(stored.reads);
        const reachedMs = page.oldestId ? postIdTime(page.oldestId) : horizonMs;
        fraction = token
          ? Math.min(0.99, Math.max(0, (startMs - reachedMs) / Math.max(1, startMs - horizonMs)))
          : 1;
        await options.onProgress?.({ pages, postsNew: counts.postsNew, fraction });
      } while (nextToken && pages < (options.maxPages ?? Number.POSITIVE_INFINITY));
      return { pages, postsNew: counts.postsNew, fraction, done: nextToken === null };
    },
  );
}
