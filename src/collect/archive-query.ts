import { worstCase } from '../budget/prices.ts';
import type { Campaign, CampaignQuery } from '../db/schema.ts';
import { XNotEnrolledError } from '../networks/x/errors.ts';
import { recentSearchReachMs } from '../networks/x/ids.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';
import { countStored, storePage } from './store-page.ts';

export interface ArchiveProgress {
  pages: number;
  postsNew: number;
  /** 0–1: how far back from the archive part's end towards the window's start the walk has come */
  fraction: number;
}

export interface ArchiveResult extends ArchiveProgress {
  done: boolean;
  /** set when X refused the archive to this access tier: the one line the run log also holds */
  refused?: string;
}

/** The archive part ends an hour inside recent search's reach: an overlap, never a gap. */
const overlapMs = 3600_000;

/** The access tier has no full-archive search (403 client-not-enrolled). */
export class ArchiveRefusedError extends Error {
  override name = 'ArchiveRefusedError';
}

/**
 * Where a query's archive part ends: the campaign window's end, or, for a window that reaches into
 * recent search's 7 days, an hour inside that reach. Recent search (poll and backfill) reads what is
 * newer; the walk back of recent search always ends at a horizon older than this (it ended before
 * now), so the two parts meet without a gap.
 */
export function archivePartEnd(campaign: Pick<Campaign, 'window_end'>, now: Date): Date {
  return new Date(Math.min(campaign.window_end.getTime(), now.getTime() - recentSearchReachMs + overlapMs));
}

/**
 * Reads the part of the campaign window older than recent search's reach from X's full archive
 * (/2/tweets/search/all), in pages of 500, from the part's end back to the window's start. Each page
 * is stored with the token of the next one in one transaction: after a crash or a rate limit the walk
 * resumes from that token. It starts once the recent walk back is done (or had nothing to walk), so
 * that the two parts meet. `maxPages` bounds one run. A tier without the archive is one line in the
 * run log (`refused`), and the recent part is not touched.
 */
export async function archiveQuery(
  ctx: CollectContext,
  queryId: number,
  options: { maxPages?: number; onProgress?: (progress: ArchiveProgress) => Promise<void> | void } = {},
): Promise<ArchiveResult> {
  const query = await ctx.db
    .selectFrom('campaign_queries')
    .innerJoin('campaigns', 'campaigns.id', 'campaign_queries.campaign_id')
    .selectAll('campaign_queries')
    .select(['campaigns.window_start', 'campaigns.window_end'])
    .where('campaign_queries.id', '=', queryId)
    .executeTakeFirst();
  const idle = { pages: 0, postsNew: 0 };
  if (!query?.active || query.archive_done)
    return { ...idle, fraction: 1, done: Boolean(query?.archive_done) };
  if (!archiveMayStart(query)) return { ...idle, fraction: 0, done: false };
  const end = query.archive_end ?? archivePartEnd(query, ctx.clock.now());
  const start = query.window_start;
  const updateQuery = () => ctx.db.updateTable('campaign_queries').where('id', '=', query.id);
  if (end <= start) {
    // The whole window is within recent search's reach: nothing for the archive.
    await updateQuery().set({ archive_done: true, archive_end: end, archive_token: null }).execute();
    return { ...idle, fraction: 1, done: true };
  }
  try {
    return await recordRun(
      ctx,
      { campaignId: query.campaign_id, kind: 'archive', target: query.query },
      async (counts, spending) => {
        let nextToken = query.archive_token;
        let pages = 0;
        let fraction = 0;
        do {
          await spending.allow(worstCase.archivePage);
          const observedAt = ctx.clock.now();
          const page = await ctx.x
            .searchAll({ query: query.query, startTime: start, endTime: end, nextToken })
            .catch((error: unknown) => {
              throw error instanceof XNotEnrolledError ? refusal(start, end) : error;
            });
          counts.requests++;
          pages++;
          nextToken = page.nextToken;
          const token = nextToken;
          const stored = await storePage(ctx, {
            page,
            observedAt,
            source: 'archive',
            match: { campaignId: query.campaign_id, queryId: query.id },
            moveCursor: (trx) =>
              trx
                .updateTable('campaign_queries')
                .where('id', '=', query.id)
                .set({ archive_end: end, archive_token: token, archive_done: token === null })
                .execute(),
          });
          countStored(counts, stored);
          spending.add(stored.reads);
          const reachedMs = page.posts.at(-1)?.createdAt.getTime() ?? start.getTime();
          fraction = token
            ? Math.min(0.99, (end.getTime() - reachedMs) / (end.getTime() - start.getTime()))
            : 1;
          await options.onProgress?.({ pages, postsNew: counts.postsNew, fraction });
        } while (nextToken && pages < (options.maxPages ?? Number.POSITIVE_INFINITY));
        return { pages, postsNew: counts.postsNew, fraction, done: nextToken === null };
      },
    );
  } catch (error) {
    if (error instanceof ArchiveRefusedError)
      return { ...idle, fraction: 0, done: false, refused: error.message };
    throw error;
  }
}

/**
 * The archive part starts once the recent walk back has ended, or found nothing to walk (a first
 * poll that found nothing in the 7 days marks it done): never before the first poll, whose page
 * tells where recent search's part is.
 */
export function archiveMayStart(query: Pick<CampaignQuery, 'backfill_done'>): boolean {
  return query.backfill_done;
}

function refusal(start: Date, end: Date): ArchiveRefusedError {
  const at = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return new ArchiveRefusedError(
    `X refused the full-archive search (403 client-not-enrolled): this access tier has none, so the ` +
      `window's part from ${at(start)} to ${at(end)} is not collected; recent search goes on ` +
      '(pay-per-use and Enterprise access include the archive)',
  );
}
