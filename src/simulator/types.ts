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

export interface GroundTruth {
  /**
   * Posts leaderboard per the DESIGN metric: posts+replies+quotes authored (reposts excluded) among posts
   * matching any scenario query, createdAt in [from,to). Standard competition ranking (1,2,2,4), display
   * order ties by username (case-insensitive).
   */
  postsLeaderboard(window?: { from: Date; to: Date }): Array<{
    rank: number;
    username: string;
    authorId: string;
    value: number;
  }>;
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
  accounts?: number;
  posts?: number;
}
