/** What the Mastodon client answers, in the shared shapes of src/networks/types.ts. */

import type { EngagementCounts, NetworkAccount, NetworkPost, RateLimitState } from '../types.ts';

export interface MastodonResponseEvent {
  instance: string;
  endpoint: string;
  /** HTTP status, or `error` when no answer came */
  status: number | 'error';
  rateLimit: RateLimitState | null;
}

export interface TagQuery {
  /** Hashtags without `#`; the first is the timeline, the others are read in the same walk with `any[]`. */
  tags: readonly string[];
  limit?: number;
  maxId?: string;
  sinceId?: string;
  minId?: string;
}

export interface MastodonPage {
  /** the base URL of the instance that served the page: where its `next` page is asked */
  instance: string;
  /** Posts, newest first; a boost comes with the boosted post after it. */
  posts: NetworkPost[];
  /** Authors of those posts as this instance knows them (a copy: its counts may lag the home's). */
  accounts: NetworkAccount[];
  /** `Link` rel="next" (older statuses), or null at the end of the timeline. */
  next: string | null;
  /** Local ids of the newest and oldest status of the page (cursors for since_id / max_id). */
  newestId: string | null;
  oldestId: string | null;
  oldestCreatedAt: Date | null;
  /** Entries that were not a readable Status (skipped, never fatal to the page). */
  skipped: number;
  /** Mentions whose account the instance could not name (deleted accounts): left out of `mentions`. */
  unresolvedMentions: number;
  rateLimit: RateLimitState | null;
}

export interface HomeCounts {
  counts: Map<string, EngagementCounts>;
  /** authors of those statuses, local to this home, by account uri */
  authors: Map<string, NetworkAccount>;
}

/** Statuses of one home instance whose counts are read in one request. */
export interface HomeBatch {
  instance: string;
  statuses: Array<{ uri: string; id: string }>;
}

/** `GET /api/v1/statuses?id[]=` takes at most this many ids (Mastodon 4.3+). */
