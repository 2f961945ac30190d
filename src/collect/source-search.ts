import { findQuery } from '../db/campaign-repository.ts';
import type { RunCounts } from '../db/collection-runs.ts';
import { moveCursor, storeNetworkPage } from '../db/network-posts-repository.ts';
import type { SourceContext } from './source.ts';
import { recordSourceRun } from './source-run.ts';

/**
 * Search collection for the networks other than X, kept in the query's `cursor` (jsonb):
 * - the first poll fixes the split: the backfill covers [a week before the campaign, first poll),
 *   the polls [first poll, …);
 * - each poll reads what was posted since the newest post seen;
 * - both read their window in time slices, because a search cursor may stop before the result set
 *   does (Bluesky: it "may not walk the whole result set"; past a depth the server stops giving
 *   cursors, and offsets shift as new posts arrive): a walk from `until` back as far as its cursor goes,
 *   then a new walk with `until` moved to the oldest post seen (plus a millisecond), until a walk links
 *   no post to the query that was not linked before. The walk's state moves with each stored page, in
 *   its transaction: a worker killed mid-walk resumes at the next page, and nothing is doubled.
 */
export interface SearchCursor {
  /** when the first poll fixed the split: polls read from there on, the backfill before it */
  pollingSince?: string | null;
  /** the newest post time seen by the polls: the next poll reads from there */
  newest?: string | null;
  poll?: SliceWalk | null;
  backfill?: SliceWalk | null;
  backfillDone?: boolean;
}

export interface SliceWalk {
  /** the window's start (fixed) */
  from: string;
  /** the current slice's end (exclusive) */
  until: string;
  /** the search cursor within the current slice; null at its first page */
  cursor: string | null;
  /** the oldest post time met in the current slice */
  oldest: string | null;
  /** posts the current slice linked to the query for the first time */
  fresh: number;
  /** the newest post time met by the whole walk */
  newest: string | null;
}

type WalkKey = 'poll' | 'backfill';

/**
 * The backfill also reads the week before the campaign, as X's recent search does (7 days back): a
 * repost made during the campaign of a post written just before it counts, and needs its original.
 */
const leadInMs = 7 * 24 * 3600_000;

/** Reads the query's new posts (and, at its first run, fixes where the backfill ends). */
export async function pollSourceQuery(ctx: SourceContext, queryId: number) {
  return searchWalk(ctx, queryId, 'poll');
}

/** Walks the query back to a week before the campaign, from where the last stored page left it. */
export async function backfillSourceQuery(ctx: SourceContext, queryId: number) {
  return searchWalk(ctx, queryId, 'backfill');
}

/** Whether the query's backfill has yet to end (the tick enqueues it then). */
export function backfillPending(cursor: unknown): boolean {
  const state = (cursor ?? {}) as SearchCursor;
  return state.backfill != null && !state.backfillDone;
}

async function searchWalk(ctx: SourceContext, queryId: number, key: WalkKey) {
  const query = await findQuery(ctx.db, queryId);
  if (!query || query.network !== ctx.source.network) {
    throw new Error(`query ${queryId} is not a ${ctx.source.network} query`);
  }
  const campaign = await ctx.db
    .selectFrom('campaigns')
    .select(['window_start'])
    .where('id', '=', query.campaign_id)
    .executeTakeFirstOrThrow();
  const state = (query.cursor ?? {}) as SearchCursor;
  let walk = state[key] ?? null;
  if (key === 'poll' && !walk) {
    const now = ctx.clock.now();
    if (state.newest == null) {
      // The first poll: the backfill takes everything before now, the polls what comes after.
      const backfill = newWalk(new Date(campaign.window_start.getTime() - leadInMs), now);
      await moveCursor(ctx.db, queryId, {
        pollingSince: now.toISOString(),
        newest: now.toISOString(),
        backfill,
        backfillDone: backfill === null,
      });
      return { pages: 0, postsNew: 0 };
    }
    walk = newWalk(new Date(state.newest), now);
  }
  if (!walk || (key === 'backfill' && state.backfillDone)) return { pages: 0, postsNew: 0 };

  const run = { campaignId: query.campaign_id, kind: `${ctx.source.network}:${key}`, target: query.query };
  const start = walk;
  return recordSourceRun(ctx, run, async (counts) => {
    const pages = await walkSlices(
      ctx,
      { queryId, campaignId: query.campaign_id, query: query.query },
      key,
      start,
      counts,
      state.newest ?? null,
    );
    return { pages, postsNew: counts.postsNew };
  });
}

async function walkSlices(
  ctx: SourceContext,
  query: { queryId: number; campaignId: number; query: string },
  key: WalkKey,
  start: SliceWalk,
  counts: RunCounts,
  newestBefore: string | null,
): Promise<number> {
  let walk: SliceWalk | null = start;
  let pages = 0;
  while (walk) {
    const current: SliceWalk = walk;
    const observedAt = ctx.clock.now();
    const page = await ctx.source.search({
      query: query.query,
      since: new Date(current.from),
      until: new Date(current.until),
      cursor: current.cursor,
    });
    counts.requests++;
    pages++;
    // set inside the page's transaction, once the page's new links are known
    const moved: { next: SliceWalk | null } = { next: null };
    const stored = await storeNetworkPage(ctx.db, {
      network: ctx.source.network,
      posts: page.posts,
      accounts: page.accounts,
      observedAt,
      source: 'recent',
      match: { campaignId: query.campaignId, queryId: query.queryId },
      cursor: {
        queryId: query.queryId,
        value: (stored) => {
          const next = nextWalk(query.query, current, page, stored.linked);
          moved.next = next;
          if (key === 'backfill') return { backfill: next, backfillDone: next === null };
          return next
            ? { poll: next }
            : { poll: null, newest: latest(newestBefore, current.newest, ...times(page.posts)) };
        },
      },
    });
    counts.postsNew += stored.postsNew;
    counts.postsUpdated += stored.postsUpdated;
    counts.entriesSkipped = (counts.entriesSkipped ?? 0) + stored.orphans;
    walk = moved.next;
  }
  return pages;
}

/** Where the walk goes after a page: on in the slice, to the next slice, or nowhere (done). */
function nextWalk(
  query: string,
  walk: SliceWalk,
  page: { posts: Array<{ createdAt: Date }>; cursor: string | null },
  linked: number,
): SliceWalk | null {
  const postTimes = times(page.posts);
  const oldest = earliest(walk.oldest, ...postTimes);
  const newest = latest(walk.newest, ...postTimes);
  const fresh = walk.fresh + linked;
  if (page.cursor) return { ...walk, cursor: page.cursor, oldest, fresh, newest };
  // A short last page does not prove the end (the depth limit may fall mid-page): only a slice that
  // links nothing new does, at the price of one more request.
  if (fresh === 0 || oldest === null) return null;
  const until = new Date(Date.parse(oldest) + 1);
  // A whole slice within one millisecond: more posts at one instant than the cursor reaches.
  if (until.getTime() >= Date.parse(walk.until)) {
    throw new Error(`search for ${query} cannot page past ${walk.until}: too many posts at one instant`);
  }
  return { from: walk.from, until: until.toISOString(), cursor: null, oldest: null, fresh: 0, newest };
}

function newWalk(from: Date, until: Date): SliceWalk | null {
  if (from >= until) return null;
  return {
    from: from.toISOString(),
    until: until.toISOString(),
    cursor: null,
    oldest: null,
    fresh: 0,
    newest: null,
  };
}

const times = (posts: Array<{ createdAt: Date }>) => posts.map((post) => post.createdAt.toISOString());

function earliest(...values: Array<string | null>): string | null {
  const present = values.filter((value): value is string => value !== null);
  return present.length === 0 ? null : present.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

function latest(...values: Array<string | null>): string | null {
  const present = values.filter((value): value is string => value !== null);
  return present.length === 0 ? null : present.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}
