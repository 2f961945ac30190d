/** The scenario's data model: what the simulator serves and what the tests compare the tracker against. */

export type PostKind = 'post' | 'reply' | 'quote' | 'repost';

export interface PostMetrics {
  like: number;
  repost: number;
  reply: number;
  quote: number;
  bookmark: number;
  impression: number;
}

export interface SimUser {
  id: string;
  username: string;
  name: string;
  description: string;
  profileImageUrl: string;
  createdAt: Date;
  verified: boolean;
  followingCount: number;
  listedCount: number;
  followersAt(t: Date): number;
  postCountAt(t: Date): number;
}

export interface SimPost {
  id: string;
  authorId: string;
  createdAt: Date;
  text: string;
  lang: string;
  kind: PostKind;
  referencedId?: string;
  conversationId: string;
  hashtags: string[];
  /** Usernames as written in the text (case may differ from the account's). */
  mentions: string[];
  metricsAt(t: Date): PostMetrics;
}

/** The leaderboard metrics of docs/METRICS.md. */
export const LEADERBOARD_METRICS = [
  'posts',
  'reposts',
  'engagement',
  'impressions',
  'mentions',
  'followers',
  'follower_growth',
  'follower_growth_pct',
] as const;
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];
export type LeaderboardScope = 'all' | 'watchlist';

export interface LeaderboardQuery {
  /** `all` (default): every author of a campaign post in [from, to), plus the home and watchlist accounts. */
  scope?: LeaderboardScope;
  /** Window [from, to); defaults to the scenario's window. */
  from?: Date;
  to?: Date;
  /**
   * When engagement and impressions are read ("latest observed values"): the truth is the sum of each
   * post's `metricsAt(observedAt)`. Defaults to `to`. A collector that last refreshed metrics at t must be
   * compared with `observedAt: t`.
   */
  observedAt?: Date;
  /** Usernames of the watchlist peers (default: the scenario's); the home account is always in the watchlist. */
  watchlist?: readonly string[];
}

export interface LeaderboardRow {
  rank: number;
  username: string;
  /** The account's X id (named for the `author_id` that makes an account part of the campaign). */
  authorId: string;
  value: number;
}

/**
 * What the tracker must reproduce, computed from the scenario itself. Campaign posts are the posts that
 * match any scenario query (the simulator's own query semantics, applied to the post's text as written).
 */
export interface GroundTruth {
  /**
   * Posts leaderboard: posts+replies+quotes authored (reposts excluded) among campaign posts created in
   * [from,to). Only accounts with at least one post. Same rows as `leaderboard('posts')` without the zeros.
   */
  postsLeaderboard(window?: { from: Date; to: Date }): LeaderboardRow[];
  /**
   * The leaderboard of any DESIGN metric, every account of the scope listed (zeros included):
   * - posts: campaign posts, replies and quotes authored in [from, to);
   * - reposts: campaign reposts authored in [from, to) (judged on the repost's own text: a cut `RT @x: …`
   *   may lose the hashtag). Recent search no longer returns reposts: collectors see them through timelines;
   * - engagement: likes + reposts + replies + quotes of the account's counted posts, at `observedAt`;
   * - impressions: impression counts of those posts, at `observedAt`;
   * - mentions: counted posts by other accounts whose text mentions the account (case-insensitive; one per
   *   post; a repost's `RT @x:` is no mention, reposts being no counted posts);
   * - followers: followers at `to`; follower_growth: followers at `to` minus at `from`;
   *   follower_growth_pct: that growth in % of followers at `from` (unrounded; 0 when there were none).
   * Standard competition ranking (1, 2, 2, 4); equal values listed by username (case-insensitive,
   * code-unit order), then id.
   */
  leaderboard(metric: LeaderboardMetric, query?: LeaderboardQuery): LeaderboardRow[];
  /** Followers of the user at each instant. */
  followerSeries(username: string, at: Date[]): number[];
}

export interface Scenario {
  name: string;
  seed: number;
  timezone: 'Europe/Paris';
  window: { start: Date; end: Date };
  homeUsername: string;
  queries: string[];
  watchlist: string[];
  users: SimUser[];
  /** Ascending id = ascending createdAt. */
  posts: SimPost[];
  truth: GroundTruth;
}

export interface ScenarioOptions {
  name?: string;
  seed?: number;
  /** Accounts (at least 12); every one of them writes at least one campaign post. */
  accounts?: number;
  /** Posts over the span (a day before the window to a day after), reposts included. */
  posts?: number;
}

/**
 * A scenario as a stream, for sizes that must not sit in memory: the accounts up front, the posts one at
 * a time in id order. Memory is proportional to the accounts, never to the posts. Without the posts in
 * memory, `postCountAt` of an account counts only its posts from before the span.
 */
export interface ScenarioStream extends Omit<Scenario, 'posts' | 'truth'> {
  postCount: number;
  /** A fresh pass over the posts, in id order (so in time order); every pass yields the same posts. */
  posts(): Generator<SimPost>;
}
