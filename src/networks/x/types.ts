/** Our view of X objects, independent of the wire format (which lives in wire.ts). */

import type { PostKind, RateLimitState } from '../types.ts';

export type { PostKind };

export interface PostMetrics {
  like: number;
  repost: number;
  reply: number;
  quote: number;
  /** absent on older posts and on some access tiers */
  bookmark: number | null;
  impression: number | null;
}

export interface XPost {
  id: string;
  authorId: string;
  createdAt: Date;
  text: string;
  lang: string | null;
  kind: PostKind;
  referencedPostId: string | null;
  conversationId: string | null;
  hashtags: string[];
  /** lower-cased usernames mentioned; a repost's `RT @x:` attribution is not a mention */
  mentions: string[];
  metrics: PostMetrics;
}

export interface UserMetrics {
  followers: number;
  following: number;
  posts: number;
  listed: number;
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  description: string | null;
  profileImageUrl: string | null;
  verified: boolean | null;
  createdAt: Date | null;
  metrics: UserMetrics | null;
}

/** An entry of a 200 response's `errors`: a post or user that did not resolve. */
export interface XResourceProblem {
  /** the `/2/problems/<name>` suffix, e.g. `resource-not-found`, `not-authorized-for-resource` */
  problem: string;
  title: string;
  detail: string;
  resourceType: string | null;
  /** which request parameter or field the problem is about: `ids`, `usernames`, `entities.mentions.username`… */
  parameter: string | null;
  /** the id or username asked for */
  value: string | null;
  /** suspended accounts come back as `resource-not-found` titled Forbidden */
  suspended: boolean;
}

export type RateLimit = RateLimitState;

export interface XPage {
  posts: XPost[];
  users: XUser[];
  problems: XResourceProblem[];
  newestId: string | null;
  oldestId: string | null;
  nextToken: string | null;
  /** payload entries that did not parse: logged and counted, the rest is kept */
  skipped: number;
  rateLimit: RateLimit | null;
}

export interface XLookup<T> {
  items: T[];
  problems: XResourceProblem[];
  skipped: number;
  rateLimit: RateLimit | null;
}

/** /2/usage/tweets: posts read this month by the project (X's count), against its monthly cap. */
export interface XUsage {
  projectUsage: number;
  projectCap: number;
  /** days left before the monthly count restarts, when X says */
  capResetDays: number | null;
}

/** /2/tweets/counts/recent: how many posts a query matches, per bucket. */
export interface XCounts {
  buckets: Array<{ start: Date; end: Date; posts: number }>;
  total: number;
  /** the archive's counts page: the older page's token; null on the last page and for recent counts */
  nextToken: string | null;
}

/**
 * One answer from X (or its absence: status `error` for a timeout or a dropped connection), as
 * observers see it: what metrics need, nothing of the payload.
 */
export interface XResponseEvent {
  /** grouped: `/2/users/:id/tweets`, never one series per user */
  endpoint: string;
  status: number | 'error';
  /** what the answer's `x-rate-limit-*` headers said, when it had them */
  rateLimit: RateLimit | null;
  durationMs: number;
}
