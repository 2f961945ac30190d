import {
  type AppBskyActorDefs,
  AppBskyEmbedRecord,
  AppBskyEmbedRecordWithMedia,
  AppBskyFeedDefs,
  AppBskyFeedPost,
  AppBskyRichtextFacet,
  jsonToLex,
} from '@atproto/api';
import type { NetworkAccount, NetworkPost, PostKind } from '../types.ts';

/**
 * Bluesky's wire shapes (lexicon views already checked by @atproto/api's client) mapped to the shared
 * domain. A post's `record` is lexicon-typed `unknown` in a postView, so it is validated here.
 */

/** A postView whose record is not a valid app.bsky.feed.post: kept out of the page and reported. */
export interface BlueskyProblem {
  uri: string;
  reason: string;
}

export type Mapped<T> = { ok: true; value: T } | { ok: false; problem: BlueskyProblem };

export function toPost(view: AppBskyFeedDefs.PostView): Mapped<NetworkPost> {
  // A record arrives as JSON; the validator wants lexicon values (blob refs as BlobRef, not `{$link}`).
  const record = jsonToLex({ $type: 'app.bsky.feed.post', ...view.record } as Parameters<
    typeof jsonToLex
  >[0]);
  const checked = AppBskyFeedPost.validateRecord(record);
  if (!checked.success) return { ok: false, problem: { uri: view.uri, reason: checked.error.message } };
  return { ok: true, value: fromRecord(view, checked.value) };
}

function fromRecord(view: AppBskyFeedDefs.PostView, record: AppBskyFeedPost.Record): NetworkPost {
  const quoted = quotedUri(record);
  const kind: PostKind = record.reply ? 'reply' : quoted ? 'quote' : 'post';
  return {
    network: 'bluesky',
    id: view.uri,
    authorId: view.author.did,
    createdAt: sortAt(record.createdAt, view.indexedAt),
    text: record.text,
    lang: record.langs?.[0] ?? null,
    kind,
    referencedPostId: record.reply?.parent.uri ?? quoted,
    hashtags: hashtagsOf(record),
    mentions: mentionsOf(record),
    counts: {
      like: view.likeCount ?? 0,
      repost: view.repostCount ?? 0,
      reply: view.replyCount ?? 0,
      // Bodies from before quote counts existed lack the field: none were counted then.
      quote: view.quoteCount ?? 0,
      bookmark: view.bookmarkCount ?? null,
      // Bluesky reports no impressions: "not available", never 0.
      impression: null,
    },
    url: postUrl(view.author.did, view.uri),
  };
}

/**
 * One item of an author feed: the author's own post, or (with `reason` reasonRepost) a repost by the feed's
 * owner. A repost has no text of its own; it carries the reposted post's text and hashtags so a campaign
 * can tell which reposts are about it, and no mentions (the attribution is not a mention).
 */
export function toFeedItem(item: AppBskyFeedDefs.FeedViewPost): Mapped<NetworkPost> {
  const mapped = toPost(item.post);
  if (!mapped.ok || !AppBskyFeedDefs.isReasonRepost(item.reason)) return mapped;
  const reason = item.reason;
  const original = mapped.value;
  return {
    ok: true,
    value: {
      network: 'bluesky',
      // Servers before the repost's `uri` was added to reasonRepost: one repost per account and post.
      id: reason.uri ?? `repost:${reason.by.did}:${original.id}`,
      authorId: reason.by.did,
      createdAt: new Date(reason.indexedAt),
      text: original.text,
      lang: original.lang,
      kind: 'repost',
      referencedPostId: original.id,
      hashtags: original.hashtags,
      mentions: [],
      counts: { like: 0, repost: 0, reply: 0, quote: 0, bookmark: null, impression: null },
      url: original.url,
    },
  };
}

/** An account as posts and feeds show it (profileViewBasic: no follower counts). */
export function toAccount(
  view: AppBskyActorDefs.ProfileViewBasic | AppBskyActorDefs.ProfileViewDetailed,
): NetworkAccount {
  const detailed = 'followersCount' in view ? (view as AppBskyActorDefs.ProfileViewDetailed) : undefined;
  const hasCounts = detailed?.followersCount !== undefined;
  return {
    network: 'bluesky',
    id: view.did,
    handle: view.handle,
    name: view.displayName ?? view.handle,
    description: detailed?.description ?? null,
    avatarUrl: view.avatar ?? null,
    createdAt: view.createdAt ? new Date(view.createdAt) : null,
    counts: hasCounts
      ? {
          followers: detailed?.followersCount ?? 0,
          following: detailed?.followsCount ?? 0,
          posts: detailed?.postsCount ?? 0,
          listed: null,
        }
      : null,
  };
}

/**
 * Search's `since`/`until` filter on the post's sortAt, the earlier of the client-declared createdAt and
 * when the AppView indexed it: a client clock set in the future cannot push a post out of its window.
 */
function sortAt(createdAt: string, indexedAt: string): Date {
  const created = Date.parse(createdAt);
  const indexed = Date.parse(indexedAt);
  if (Number.isNaN(created)) return new Date(indexed);
  return new Date(Number.isNaN(indexed) ? created : Math.min(created, indexed));
}

function quotedUri(record: AppBskyFeedPost.Record): string | null {
  const embed = record.embed;
  if (AppBskyEmbedRecord.isMain(embed)) return embed.record.uri;
  if (AppBskyEmbedRecordWithMedia.isMain(embed)) return embed.record.record.uri;
  return null;
}

/** Mention facets name DIDs: a handle renamed since still points at the same account. */
function mentionsOf(record: AppBskyFeedPost.Record): string[] {
  const dids = new Set<string>();
  for (const facet of record.facets ?? []) {
    for (const feature of facet.features) {
      if (AppBskyRichtextFacet.isMention(feature)) dids.add(feature.did);
    }
  }
  return [...dids];
}

/**
 * Tags from tag facets, the record's extra `tags`, and `#words` of the text: older clients wrote hashtags
 * without facets, and search still finds those posts by them.
 */
function hashtagsOf(record: AppBskyFeedPost.Record): string[] {
  const tags = new Set<string>();
  const add = (tag: string) => {
    const clean = tag.replace(/^[#＃]/, '').toLowerCase();
    if (clean) tags.add(clean);
  };
  for (const facet of record.facets ?? []) {
    for (const feature of facet.features) {
      if (AppBskyRichtextFacet.isTag(feature)) add(feature.tag);
    }
  }
  for (const tag of record.tags ?? []) add(tag);
  for (const tag of textHashtags(record.text)) add(tag);
  return [...tags];
}

// Bluesky's own rich-text detection: `#` after a space or the start, up to 64 characters, trailing
// punctuation dropped, at least one character that is not a digit.
const HASHTAG = /(?:^|\s)[#＃]([^\s#＃]+)/gu;
const TRAILING_PUNCTUATION = /\p{P}+$/u;
const HAS_NON_DIGIT = /[^\d]/u;

export function textHashtags(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(HASHTAG)) {
    const tag = (match[1] ?? '').replace(TRAILING_PUNCTUATION, '');
    if (tag.length > 0 && tag.length <= 64 && HAS_NON_DIGIT.test(tag)) found.push(tag);
  }
  return found;
}

/** Where a person opens the post: bsky.app takes a DID in place of a handle, which survives renames. */
function postUrl(did: string, uri: string): string | null {
  const rkey = uri.split('/').at(-1);
  return rkey ? `https://bsky.app/profile/${did}/post/${rkey}` : null;
}
