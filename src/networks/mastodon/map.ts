import type { EngagementCounts, NetworkAccount, NetworkPost, PostKind } from '../types.ts';
import { htmlToText } from './html.ts';
import type { AccountWire, MentionWire, OriginalStatusWire, StatusWire } from './wire.ts';

/**
 * Mastodon's wire entities as the tracker's domain objects (src/networks/types.ts):
 * - a status is its `uri` (the same status read through two instances is one post), an account its `uri`;
 * - a handle is `user@domain`, always qualified: a local account's `acct` lacks the domain, so the
 *   serving instance's domain (its `/api/v2/instance` `domain`) is added;
 * - a boost (`reblog`) is a repost of the boosted status; a status with a `quote` (4.5) is a quote, even
 *   when it also replies (the quoted post is what it refers to), else a reply with `in_reply_to_id` is a reply;
 * - engagement: favourites, reblogs, replies, quotes; no bookmarks or impressions (null, never 0);
 * - mentions by account uri; the caller resolves them (see `MentionResolver`).
 */

/** The account uri of a mention, or undefined when the serving instance could not tell it. */
export type MentionResolver = (mention: MentionWire) => string | undefined;

export function toNetworkAccount(account: AccountWire, localDomain: string): NetworkAccount {
  if (!account.uri) {
    throw new TypeError(`account ${account.acct} has no uri (the instance predates Mastodon 4.2)`);
  }
  return {
    network: 'mastodon',
    id: account.uri,
    handle: qualifiedHandle(account.acct, localDomain),
    name: account.display_name || account.username,
    description: htmlToText(account.note) || null,
    avatarUrl: account.avatar ?? null,
    createdAt: account.created_at ? new Date(account.created_at) : null,
    counts: {
      followers: account.followers_count,
      following: account.following_count,
      posts: account.statuses_count,
      listed: null,
    },
  };
}

/** `user` on its own instance, `user@domain` elsewhere: always `user@domain`, domain lower-cased. */
export function qualifiedHandle(acct: string, localDomain: string): string {
  const at = acct.indexOf('@');
  return at < 0
    ? `${acct}@${localDomain.toLowerCase()}`
    : `${acct.slice(0, at)}@${acct.slice(at + 1).toLowerCase()}`;
}

export function countsOf(
  status: Pick<OriginalStatusWire, 'favourites_count' | 'reblogs_count' | 'replies_count' | 'quotes_count'>,
): EngagementCounts {
  return {
    like: status.favourites_count,
    repost: status.reblogs_count,
    reply: status.replies_count,
    // Before 4.5 Mastodon had no quotes: none were made, so 0 is the true count.
    quote: status.quotes_count ?? 0,
    bookmark: null,
    impression: null,
  };
}

/**
 * The posts a timeline entry stands for: the status itself, and for a boost the boosted status too (its
 * author's post, with the counts this instance has of it). Account uris must be known (see toNetworkAccount).
 */
export function toNetworkPosts(status: StatusWire, resolveMention: MentionResolver): NetworkPost[] {
  if (!status.reblog) return [toOriginalPost(status, resolveMention)];
  const boosted = toOriginalPost(status.reblog, resolveMention);
  const boost: NetworkPost = {
    network: 'mastodon',
    id: status.uri,
    authorId: accountUri(status.account),
    createdAt: new Date(status.created_at),
    text: '',
    lang: null,
    kind: 'repost',
    referencedPostId: status.reblog.uri,
    hashtags: [],
    // A boost names no one: its attribution is not a mention.
    mentions: [],
    counts: countsOf(status),
    url: status.url ?? null,
  };
  return [boost, boosted];
}

function toOriginalPost(status: OriginalStatusWire, resolveMention: MentionResolver): NetworkPost {
  const quoted = status.quote ? (status.quote.quoted_status?.uri ?? null) : undefined;
  const kind: PostKind = status.quote ? 'quote' : status.in_reply_to_id ? 'reply' : 'post';
  const mentions = new Set<string>();
  for (const mention of status.mentions) {
    const uri = resolveMention(mention);
    if (uri) mentions.add(uri);
  }
  const spoiler = status.spoiler_text.trim();
  const body = htmlToText(status.content);
  return {
    network: 'mastodon',
    id: status.uri,
    authorId: accountUri(status.account),
    createdAt: new Date(status.created_at),
    text: spoiler ? `${spoiler}\n\n${body}` : body,
    lang: status.language ?? null,
    kind,
    // A reply's parent is named by its local id only; its uri is not in the answer, so none is claimed.
    referencedPostId: kind === 'quote' ? (quoted ?? null) : null,
    hashtags: [...new Set(status.tags.map((tag) => tag.name.toLowerCase()))],
    mentions: [...mentions],
    counts: countsOf(status),
    url: status.url ?? null,
  };
}

function accountUri(account: AccountWire): string {
  if (!account.uri)
    throw new TypeError(`account ${account.acct} has no uri (the instance predates Mastodon 4.2)`);
  return account.uri;
}
