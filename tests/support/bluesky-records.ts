import type { NetworkAccount, NetworkPost } from '../../src/networks/types.ts';

/**
 * Bluesky accounts and posts as the client hands them to collection (src/networks/types.ts), for
 * tests that store a few through the network write path without a stand-in.
 */
export function blueskyAccount(did: string, handle: string): NetworkAccount {
  return {
    network: 'bluesky',
    id: did,
    handle,
    name: handle,
    description: null,
    avatarUrl: null,
    createdAt: null,
    counts: null,
  };
}

/** A post by `author` tagged #OGP16, its record key `key`. */
export function blueskyPost(author: NetworkAccount, key: string, createdAt: Date, likes = 0): NetworkPost {
  return {
    network: 'bluesky',
    id: `at://${author.id}/app.bsky.feed.post/${key}`,
    authorId: author.id,
    createdAt,
    text: 'hello #OGP16',
    lang: 'en',
    kind: 'post',
    referencedPostId: null,
    hashtags: ['ogp16'],
    mentions: [],
    counts: { like: likes, repost: 0, reply: 0, quote: 0, bookmark: null, impression: null },
    url: null,
  };
}
