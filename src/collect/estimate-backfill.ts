import { costMicros, publishedPrices, worstCase } from '../budget/prices.ts';
import { activeQueries } from '../db/campaigns.ts';
import type { CampaignQuery } from '../db/schema.ts';
import { XNotEnrolledError } from '../networks/x/errors.ts';
import { maxPageSize } from '../networks/x/fields.ts';
import { archivePartEnd } from './archive-query.ts';
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
  /** the part of the window older than recent search's reach, from the archive's counts */
  archive: ArchiveEstimate | null;
}

export interface ArchiveEstimate {
  from: Date;
  to: Date;
  posts: number;
  /** archive search requests (pages of 500) */
  requests: number;
  postsMicros: number;
  usersMaxMicros: number;
  /** X refused the archive's counts to this access tier: the reason, and no figures */
  refused?: string;
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
  const campaign = await ctx.db
    .selectFrom('campaigns')
    .select(['window_start', 'window_end'])
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const queries = (await activeQueries(ctx.db, campaignId)).filter(
    (query) => !query.backfill_done || !query.archive_done,
  );
  return recordRun(
    ctx,
    {
      campaignId,
      kind: 'estimate',
      target: `backfill of ${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}`,
    },
    async (counts, spending) => {
      const estimates: QueryEstimate[] = [];
      const price = (posts: number) => ({
        postsMicros: costMicros(prices, { posts, users: 0 }),
        usersMaxMicros: costMicros(prices, { posts: 0, users: posts }),
      });
      for (const query of queries) {
        const archive = query.archive_done ? null : await archivePart(ctx, campaign, query);
        let archiveEstimate: ArchiveEstimate | null = null;
        if (archive) {
          let posts = 0;
          let refused: string | undefined;
          let nextToken: string | null = null;
          do {
            await spending.allow(worstCase.countsRequest);
            try {
              const page = await ctx.x.countsAll({
                query: query.query,
                granularity: 'day',
                startTime: archive.from,
                endTime: archive.to,
                nextToken,
              });
              posts += page.total;
              nextToken = page.nextToken;
            } catch (error) {
              if (!(error instanceof XNotEnrolledError)) throw error;
              refused =
                'X refused the archive’s counts (403 client-not-enrolled): this access tier has no archive';
              nextToken = null;
            } finally {
              counts.requests++;
              spending.addCountsRequest();
            }
          } while (nextToken);
          archiveEstimate = {
            ...archive,
            posts,
            requests: refused ? 0 : Math.floor(posts / maxPageSize.archive) + 1,
            ...price(posts),
            ...(refused ? { refused } : {}),
          };
        }
        if (query.backfill_done) {
          estimates.push({
            queryId: query.id,
            query: query.query,
            posts: 0,
            requests: 0,
            ...price(0),
            archive: archiveEstimate,
          });
          continue;
        }
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
          ...price(posts),
          archive: archiveEstimate,
        });
      }
      return { queries: estimates, countsRequests: counts.countsRequests, countsMicros: counts.costMicros };
    },
  );
}

/**
 * What the archive walk has left to read: from the window's start to where the walk is (the oldest
 * post it stored) or will start (the archive part's end); null when nothing is left.
 */
async function archivePart(
  ctx: CollectContext,
  campaign: { window_start: Date; window_end: Date },
  query: CampaignQuery,
): Promise<{ from: Date; to: Date } | null> {
  const from = campaign.window_start;
  let to = query.archive_end ?? archivePartEnd(campaign, ctx.clock.now());
  if (query.archive_token) {
    const oldest = await ctx.db
      .selectFrom('campaign_posts')
      .innerJoin('posts', 'posts.id', 'campaign_posts.post_id')
      .select((eb) => eb.fn.min('posts.created_at').as('at'))
      .where('campaign_posts.query_id', '=', query.id)
      .where('posts.created_at', '>=', from)
      .where('posts.created_at', '<', to)
      .executeTakeFirst();
    if (oldest?.at) to = new Date(oldest.at);
  }
  return to > from ? { from, to } : null;
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
