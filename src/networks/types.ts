/**
 * What every network's client hands to collection: posts and accounts in one shape, whatever the
 * wire format. Each network folder (x/, bluesky/, mastodon/) maps its own answers to these types;
 * nothing outside src/networks/ reads a wire format. See docs/ARCHITECTURE.md.
 */

export const networks = ['x', 'bluesky', 'mastodon'] as const;
export type Network = (typeof networks)[number];

/**
 * The network a handle belongs to, by its form: a Mastodon account is `user@instance`, a Bluesky
 * handle is a domain name (it has a dot), an X username has neither (docs/ARCHITECTURE.md).
 */
export function networkOfHandle(handle: string): Network {
  const bare = handle.replace(/^@/, '');
  if (bare.includes('@')) return 'mastodon';
  return bare.includes('.') || bare.startsWith('did:') ? 'bluesky' : 'x';
}

export type PostKind = 'post' | 'reply' | 'quote' | 'repost';

/** Counts a network reports for a post; `null` where the network does not report it (never 0). */
export interface EngagementCounts {
  like: number;
  repost: number;
  reply: number;
  quote: number;
  bookmark: number | null;
  impression: number | null;
}

/** @public the Bluesky and Mastodon clients of this wave map to it (issues 14, 19) */
export interface NetworkPost {
  network: Network;
  /** native id: X's 64-bit id as a decimal string, a Bluesky `at://` URI, a Mastodon status `uri` */
  id: string;
  /** native id of the author: X user id, Bluesky DID, Mastodon account `uri` */
  authorId: string;
  createdAt: Date;
  text: string;
  lang: string | null;
  kind: PostKind;
  /** native id of the replied-to, quoted or reposted post */
  referencedPostId: string | null;
  /** lower-cased, without `#` */
  hashtags: string[];
  /**
   * Accounts mentioned, by the key the network compares them on: X lower-cased usernames, Bluesky
   * DIDs (from mention facets), Mastodon account `uri`s. A repost's attribution is not a mention.
   */
  mentions: string[];
  counts: EngagementCounts;
  /** where a person opens the post */
  url: string | null;
}

export interface FollowerCounts {
  followers: number;
  following: number;
  posts: number;
  /** X lists; `null` elsewhere */
  listed: number | null;
}

/** @public the Bluesky and Mastodon clients of this wave map to it (issues 14, 19) */
export interface NetworkAccount {
  network: Network;
  /** native id: X user id, Bluesky DID, Mastodon account `uri` */
  id: string;
  /** X username, Bluesky handle (a domain), Mastodon `user@instance` (always fully qualified) */
  handle: string;
  name: string;
  description: string | null;
  avatarUrl: string | null;
  createdAt: Date | null;
  counts: FollowerCounts | null;
}

/** What a network said of its rate limit on the last answer. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: Date;
}
