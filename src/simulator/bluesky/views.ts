import type { BskyAccount, BskyPost, BskyRepost, Facet } from './scenario.ts';
import type { BlueskyState } from './state.ts';

/**
 * The AppView's views of the scenario, field for field as the lexicons in @atproto/api describe them
 * (app.bsky.feed.defs#postView, #feedViewPost, app.bsky.actor.defs#profileViewBasic and
 * #profileViewDetailed); counts are read at the simulated instant.
 */

export function profileBasic(state: BlueskyState, account: BskyAccount, nowMs: number) {
  return {
    did: account.did,
    handle: state.handleAt(account, nowMs),
    displayName: account.displayName,
    labels: [],
    createdAt: account.createdAt.toISOString(),
  };
}

export function profileDetailed(state: BlueskyState, account: BskyAccount, nowMs: number) {
  const now = new Date(nowMs);
  return {
    ...profileBasic(state, account, nowMs),
    description: account.description,
    followersCount: account.followersAt(now),
    followsCount: account.followsCount,
    postsCount: account.postsCountAt(now),
    associated: { lists: 0, feedgens: 0, starterPacks: 0, labeler: false },
    indexedAt: account.createdAt.toISOString(),
  };
}

export function postRecord(post: BskyPost) {
  return {
    $type: 'app.bsky.feed.post',
    text: post.text,
    ...(post.facets.length > 0 ? { facets: post.facets.map(facetJson) } : {}),
    ...(post.reply ? { reply: post.reply } : {}),
    ...(post.quote ? { embed: { $type: 'app.bsky.embed.record', record: post.quote } } : {}),
    langs: post.langs,
    createdAt: post.createdAt.toISOString(),
  };
}

export function postView(state: BlueskyState, post: BskyPost, nowMs: number) {
  const author = state.account(post.authorDid);
  if (!author) throw new Error(`post ${post.uri} has no author in the scenario`);
  const embed = post.quote ? quoteView(state, post.quote.uri, nowMs) : undefined;
  return {
    uri: post.uri,
    cid: post.cid,
    author: profileBasic(state, author, nowMs),
    record: postRecord(post),
    ...(embed ? { embed } : {}),
    ...counts(post, nowMs),
    indexedAt: post.indexedAt.toISOString(),
    labels: [],
  };
}

export function feedViewPost(
  state: BlueskyState,
  post: BskyPost,
  repost: BskyRepost | undefined,
  nowMs: number,
) {
  const view = postView(state, post, nowMs);
  if (!repost) return { post: view };
  const by = state.account(repost.byDid);
  if (!by) throw new Error(`repost ${repost.uri} has no author in the scenario`);
  return {
    post: view,
    reason: {
      $type: 'app.bsky.feed.defs#reasonRepost',
      by: profileBasic(state, by, nowMs),
      uri: repost.uri,
      cid: repost.cid,
      indexedAt: repost.createdAt.toISOString(),
    },
  };
}

/** A quoted post as the quoting post shows it; a deleted one as not found, as the AppView does. */
function quoteView(state: BlueskyState, uri: string, nowMs: number) {
  const quoted = state.post(uri, nowMs);
  const author = quoted ? state.account(quoted.authorDid) : undefined;
  if (!quoted || !author) {
    return {
      $type: 'app.bsky.embed.record#view',
      record: { $type: 'app.bsky.embed.record#viewNotFound', uri, notFound: true },
    };
  }
  return {
    $type: 'app.bsky.embed.record#view',
    record: {
      $type: 'app.bsky.embed.record#viewRecord',
      uri: quoted.uri,
      cid: quoted.cid,
      author: profileBasic(state, author, nowMs),
      value: postRecord(quoted),
      labels: [],
      ...counts(quoted, nowMs),
      indexedAt: quoted.indexedAt.toISOString(),
    },
  };
}

function counts(post: BskyPost, nowMs: number) {
  const m = post.metricsAt(new Date(nowMs));
  return { replyCount: m.reply, repostCount: m.repost, likeCount: m.like, quoteCount: m.quote };
}

function facetJson(facet: Facet) {
  const feature =
    facet.kind === 'mention'
      ? { $type: 'app.bsky.richtext.facet#mention', did: facet.did }
      : { $type: 'app.bsky.richtext.facet#tag', tag: facet.tag };
  return { $type: 'app.bsky.richtext.facet', index: facet.index, features: [feature] };
}
