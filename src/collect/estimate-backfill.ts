import { costMicros, publishedPrices, worstCase } from '../budget/prices.ts';
import { activeQueries } from '../db/campaigns.ts';
import type { CampaignQuery } from '../db/schema.ts';
import { maxPageSize } from '../networks/x/fields.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';

export interface QueryEstimate {
  queryId: number;
  query: string;
  /** posts the backfill would read, from X's counts */
  posts: number;
  /** search requests it would take (pages of 100) */
  requests: number;
  /** what the posts cost, and at most their authors (one distinct author per post) */
  postsMicros: number;
  usersMaxMicros: number;
}

export interface BackfillEstimate {
  queries: QueryEstimate[];
  /** the counts requests this estimate spent */
  countsRequests: number;
  countsMicros: number;
}

/**
 * What `tracker collect <slug> --backfill` would read, before reading it: for each active query,
 * X's count (/2/tweets/counts/recent) of the posts its backfill has not collected yet — everything
 * in the 7-day reach for a query never polled (first poll and walk back), the posts older than the
 * oldest collected one for a walk in progress — and the pages and cost that makes. Counts requests
 * are the only requests it sends (billed per request, recorded in the run log as `estimate`).
 * With `until_id` the count stops exactly where the walk resumes; its start is X's 7-day reach,
 * the same as the walk's, give or take the seconds between the count and the walk.
 */
export async function estimateBackfill(ctx: CollectContext, campaignId: number): Promise<BackfillEstimate> {
  const prices = ctx.prices ?? publishedPrices;
  const queries = (await activeQueries(ctx.db, campaignId)).filter((query) => !query.backfill_done);
  return recordRun(
    ctx,
    {
      campaignId,
      kind: 'estimate',
      target: `backfill of ${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}`,
    },
    async (counts, spending) => {
      const estimates: QueryEstimate[] = [];
      for (const query of queries) {
        const untilId = await resumesBelow(ctx, query);
        await spending.allow(worstCase.countsRequest);
        const result = await ctx.x.countsRecent({
          query: query.query,
          granularity: 'day',
          ...(untilId ? { untilId } : {}),
        });
        counts.requests++;
        spending.addCountsRequest();
        const posts = result.total;
        estimates.push({
          queryId: query.id,
          query: query.query,
          posts,
          requests: untilId ? walkPages(posts) : firstPollAndWalkPages(posts),
          postsMicros: costMicros(prices, { posts, users: 0 }),
          usersMaxMicros: costMicros(prices, { posts: 0, users: posts }),
        });
      }
      return { queries: estimates, countsRequests: counts.countsRequests, countsMicros: counts.costMicros };
    },
  );
}

/** Where the walk back resumes: below the oldest post it collected, or below the first poll's page. */
async function resumesBelow(ctx: CollectContext, query: CampaignQuery): Promise<string | null> {
  if (!query.backfill_until_id) return null;
  if (!query.backfill_token) return query.backfill_until_id;
  const oldest = await ctx.db
    .selectFrom('campaign_posts')
    .select((eb) => eb.fn.min('post_id').as('id'))
    .where('query_id', '=', query.id)
    .executeTakeFirst();
  return oldest?.id ? String(oldest.id) : query.backfill_until_id;
}

/** A walk of n posts: full pages, then the page that comes back short (or empty) and ends it. */
function walkPages(posts: number): number {
  return Math.floor(posts / maxPageSize.search) + 1;
}

/**
 * A query never polled: its first poll reads the newest page, the walk the rest. Under a page of
 * posts, the walk still asks once (and finds nothing); with no post at all, it never starts.
 */
function firstPollAndWalkPages(posts: number): number {
  if (posts === 0) return 1;
  return Math.max(2, walkPages(posts));
}
