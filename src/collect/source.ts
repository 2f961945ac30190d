import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { OtherNetwork } from '../db/network-posts-repository.ts';
import { type BlueskyClient, MAX_LOOKUP_SIZE } from '../networks/bluesky/client.ts';
import { BlueskyError, BlueskyRateLimitError } from '../networks/bluesky/errors.ts';
import type { NetworkAccount, NetworkPost } from '../networks/types.ts';

/**
 * What the collection use-cases ask of a network, in the shared shapes of src/networks/types.ts.
 * The Bluesky implementation is below; Mastodon implements it in its own folder. X fits it too
 * (search/recent with start_time/end_time and next_token, the user timeline, users and posts
 * lookups, XRateLimitError's reset) but keeps its own tuned use-cases and `store-page.ts` statement
 * for now: X's billing and budget (src/collect/budget.ts) have no counterpart on the other networks.
 */
export interface Source {
  readonly network: OtherNetwork;
  /** How many ids one `profiles` or `posts` request takes: each batch counts as one request. */
  readonly lookupSize: number;
  /** One page of the posts matching `query` created in [since, until), newest first. */
  search(params: { query: string; since: Date; until: Date; cursor: string | null }): Promise<SourcePage>;
  /** One page of an account's own posts, replies and reposts, newest first. */
  authorFeed(params: { actor: string; cursor: string | null }): Promise<SourcePage>;
  /** Accounts with their follower counts, by native id or handle. */
  profiles(actors: readonly string[]): Promise<SourceLookup<NetworkAccount>>;
  /** Posts with fresh counts, by native id; the ones gone are `missing`. */
  posts(ids: readonly string[]): Promise<SourceLookup<NetworkPost>>;
  /** When the network's rate limit lifts, if `error` says it was hit; null for any other error. */
  rateLimitReset(error: unknown): Date | null;
  /** Whether retrying cannot help (bad credentials, a request the network refuses). */
  failsForGood(error: unknown): boolean;
}

export interface SourcePage {
  posts: NetworkPost[];
  /** the posts' authors (reposters and reposted authors included) */
  accounts: NetworkAccount[];
  /** null at the end (a search cursor may end before the result set does) */
  cursor: string | null;
}

export interface SourceLookup<T> {
  found: T[];
  missing: string[];
}

/** What a use-case of another network than X needs; the worker, CLI or test builds it. */
export interface SourceContext {
  db: Db;
  source: Source;
  clock: Clock;
  log: Logger;
  /** the queue job this work runs for (`queue:id`): the run log closes what its earlier attempts left open */
  job?: string;
}

/** Bluesky through its client (src/networks/bluesky/client.ts). */
export function blueskySource(client: BlueskyClient): Source {
  return {
    network: 'bluesky',
    lookupSize: MAX_LOOKUP_SIZE,
    search: (params) => client.searchPosts({ ...params, limit: 100 }),
    authorFeed: (params) => client.getAuthorFeed({ ...params, limit: 100 }),
    profiles: (actors) => client.getProfiles(actors),
    posts: (uris) => client.getPosts(uris),
    rateLimitReset: (error) => (error instanceof BlueskyRateLimitError ? error.resetAt : null),
    failsForGood: (error) => error instanceof BlueskyError && !error.transient,
  };
}
