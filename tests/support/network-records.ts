import type { Db } from '../../src/db/database.ts';
import type { NetworkAccount, NetworkPost } from '../../src/networks/types.ts';

/**
 * A few accounts and posts for tests that store them without a stand-in: Bluesky ones as the
 * client hands them to collection (src/networks/types.ts), X ones as rows (X ids are the row ids).
 */

/** X accounts, `[id, username]`, their name their username, seen at `at`. */
export async function insertXAccounts(db: Db, accounts: Array<[string, string]>, at: Date): Promise<void> {
  await db
    .insertInto('accounts')
    .values(
      accounts.map(([id, username]) => ({
        id,
        username,
        name: username,
        description: null,
        profile_image_url: null,
        verified: false,
        created_at: null,
        first_seen_at: at,
        last_seen_at: at,
      })),
    )
    .execute();
}

/** X posts tagged #OGP16 with these ids, by `authorId`, matched by the campaign's query. */
export async function insertXPosts(
  db: Db,
  match: { campaignId: number; queryId: number },
  authorId: string,
  ids: string[],
  at: Date,
): Promise<void> {
  const rows = ids.map((id) => ({
    id,
    author_id: authorId,
    created_at: at,
    text: 'hello #OGP16',
    lang: 'en',
    kind: 'post' as const,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: 1,
    repost_count: 0,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: at,
    first_seen_at: at,
  }));
  await db.insertInto('posts').values(rows).execute();
  await db
    .insertInto('campaign_posts')
    .values(
      ids.map((id) => ({
        campaign_id: match.campaignId,
        query_id: match.queryId,
        post_id: id,
        matched_at: at,
      })),
    )
    .execute();
}

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
