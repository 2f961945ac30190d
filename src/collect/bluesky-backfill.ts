import type { NetworkPost } from '../networks/types.ts';

/** What the backfill needs of a Bluesky client (BlueskyClient.searchPosts fits it). */
export interface BlueskySearchSource {
  searchPosts(params: {
    query: string;
    since?: Date;
    until?: Date;
    cursor?: string | null;
    limit?: number;
  }): Promise<{ posts: NetworkPost[]; cursor: string | null }>;
}

export interface BlueskyBackfillPage {
  query: string;
  /** the slice this page was read from: [since, until) */
  since: Date;
  until: Date;
  /** posts of the page not met before in this backfill (any query): each post comes out once */
  posts: NetworkPost[];
  /** posts the page repeated (met on an earlier page or slice) */
  repeated: number;
}

export interface BlueskyBackfillOptions {
  queries: readonly string[];
  /** the window [from, to) */
  from: Date;
  to: Date;
  pageSize?: number;
  /**
   * Waits out a rate limit: called with an error carrying `resetAt`, resolves when the call may be
   * tried again. Unset: such errors are thrown.
   */
  waitOut?: (error: Error & { resetAt: Date }) => Promise<void>;
}

/**
 * Every post of the queries in the window, as a stream of pages, each post once. Bluesky's search
 * cursor "may not walk the whole result set": past a depth the server stops giving cursors, and offsets
 * shift as new posts arrive. So each query is walked in time slices: a walk from `until` back as far
 * as its cursor goes, then a new walk with `until` moved back to the oldest post seen (plus a
 * millisecond: posts of that same instant may sit on both sides of where the walk stopped), until a
 * walk brings nothing new. Posts are deduplicated by URI across
 * slices and queries. Nothing is stored: the caller decides what to do with the pages.
 */
export async function* backfillBlueskySearch(
  source: BlueskySearchSource,
  options: BlueskyBackfillOptions,
): AsyncGenerator<BlueskyBackfillPage> {
  const pageSize = options.pageSize ?? 100;
  const seen = new Set<string>();
  for (const query of options.queries) {
    let until = options.to;
    while (until > options.from) {
      let cursor: string | null = null;
      let oldestMs = Number.POSITIVE_INFINITY;
      let fresh = 0;
      do {
        const page = await retryingLimits(options, () =>
          source.searchPosts({ query, since: options.from, until, cursor, limit: pageSize }),
        );
        const posts = page.posts.filter((post) => !seen.has(post.id));
        for (const post of page.posts) {
          seen.add(post.id);
          oldestMs = Math.min(oldestMs, post.createdAt.getTime());
        }
        fresh += posts.length;
        yield { query, since: options.from, until, posts, repeated: page.posts.length - posts.length };
        cursor = page.cursor;
      } while (cursor);
      // A short last page does not prove the end (the depth limit may fall mid-page): only a walk that
      // brings nothing new does, at the price of one more request per query.
      if (fresh === 0 || !Number.isFinite(oldestMs)) break;
      const next = new Date(oldestMs + 1);
      // A whole walk within one millisecond: more posts at one instant than the cursor reaches.
      if (next >= until)
        throw new Error(`Bluesky search for ${query} cannot page past ${until.toISOString()}`);
      until = next;
    }
  }
}

async function retryingLimits<T>(options: BlueskyBackfillOptions, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!options.waitOut || !isRateLimited(error)) throw error;
      await options.waitOut(error);
    }
  }
}

function isRateLimited(error: unknown): error is Error & { resetAt: Date } {
  return error instanceof Error && 'resetAt' in error && error.resetAt instanceof Date;
}
