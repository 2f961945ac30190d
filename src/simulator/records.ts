import { type EngagementTotals, engagementAt } from './engagement.ts';
import type { FollowerCurve } from './followers.ts';
import type { PostKind, PostMetrics, SimPost, SimUser } from './types.ts';

const NO_POSTS = new Float64Array(0);

export interface UserFields {
  id: string;
  username: string;
  name: string;
  description: string;
  profileImageUrl: string;
  createdAt: Date;
  verified: boolean;
  followingCount: number;
  listedCount: number;
}

/** A scenario account: static profile plus follower and post counts as functions of time. */
export class SimUserRecord implements SimUser {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly description: string;
  readonly profileImageUrl: string;
  readonly createdAt: Date;
  readonly verified: boolean;
  readonly followingCount: number;
  readonly listedCount: number;
  readonly #followers: FollowerCurve;
  /** Posts written before the scenario's span (the account's history). */
  readonly #earlierPosts: number;
  /** createdAt (ms) of the account's scenario posts, ascending. */
  #postTimes: Float64Array = NO_POSTS;

  constructor(fields: UserFields, followers: FollowerCurve, earlierPosts: number) {
    this.id = fields.id;
    this.username = fields.username;
    this.name = fields.name;
    this.description = fields.description;
    this.profileImageUrl = fields.profileImageUrl;
    this.createdAt = fields.createdAt;
    this.verified = fields.verified;
    this.followingCount = fields.followingCount;
    this.listedCount = fields.listedCount;
    this.#followers = followers;
    this.#earlierPosts = earlierPosts;
  }

  /** Called once, after the posts exist (ascending times). */
  attachPostTimes(times: Float64Array): void {
    this.#postTimes = times;
  }

  followersAt(t: Date): number {
    return this.#followers.at(t.getTime());
  }

  postCountAt(t: Date): number {
    const ms = t.getTime();
    let lo = 0;
    let hi = this.#postTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#postTimes[mid] ?? 0) <= ms) lo = mid + 1;
      else hi = mid;
    }
    return this.#earlierPosts + lo;
  }
}

export interface PostFields {
  id: string;
  authorId: string;
  createdAt: Date;
  text: string;
  lang: string;
  kind: PostKind;
  referencedId: string | undefined;
  conversationId: string;
  hashtags: string[];
  mentions: string[];
}

/**
 * A scenario post. Engagement grows from the instant encoded in its id (X's created_at is rounded down
 * to the second, the id keeps the millisecond).
 */
export class SimPostRecord implements SimPost {
  readonly id: string;
  readonly authorId: string;
  readonly createdAt: Date;
  readonly text: string;
  readonly lang: string;
  readonly kind: PostKind;
  readonly referencedId?: string;
  readonly conversationId: string;
  readonly hashtags: string[];
  readonly mentions: string[];
  readonly #postedMs: number;
  readonly #totals: EngagementTotals;
  readonly #tauMs: number;
  /** For a repost: X reports the original's repost count on the repost and zero for the rest. */
  readonly #original: SimPostRecord | undefined;

  constructor(
    fields: PostFields,
    postedMs: number,
    totals: EngagementTotals,
    tauMs: number,
    original?: SimPostRecord,
  ) {
    this.id = fields.id;
    this.authorId = fields.authorId;
    this.createdAt = fields.createdAt;
    this.text = fields.text;
    this.lang = fields.lang;
    this.kind = fields.kind;
    if (fields.referencedId !== undefined) this.referencedId = fields.referencedId;
    this.conversationId = fields.conversationId;
    this.hashtags = fields.hashtags;
    this.mentions = fields.mentions;
    this.#postedMs = postedMs;
    this.#totals = totals;
    this.#tauMs = tauMs;
    this.#original = original;
  }

  /** Total likes once interest has died down; what draws replies, quotes and reposts to a post. */
  get eventualLikes(): number {
    return this.#totals.like;
  }

  metricsAt(t: Date): PostMetrics {
    if (this.#original !== undefined) {
      const repost = t.getTime() < this.#postedMs ? 0 : this.#original.metricsAt(t).repost;
      return { like: 0, repost, reply: 0, quote: 0, bookmark: 0, impression: 0 };
    }
    return engagementAt(this.#totals, t.getTime() - this.#postedMs, this.#tauMs);
  }
}
