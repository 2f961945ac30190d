import { readFileSync } from 'node:fs';

/**
 * twarc2 files built from real captured X pages (tests/fixtures/x-api, see each .source.txt): the
 * `#kpop` search page twarc 2.5.0 captured, read twice an hour apart (the later reading with more
 * likes, as metrics grow), and a post lookup; `__twarc` added back as twarc writes it.
 */
type Json = Record<string, unknown>;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/x-api/${name}`, import.meta.url), 'utf8')) as Json;

export const twarcWindow = { start: '2020-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' };

export function twarcPages(): Json[] {
  const search = fixture('search_recent_page_with_partial_error.json');
  const later = structuredClone(search);
  for (const post of later.data as Json[]) {
    const metrics = post.public_metrics as Json;
    metrics.like_count = Number(metrics.like_count) + 2;
  }
  const lookup = fixture('tweets_lookup_with_impression_count.json');
  const twarc = (page: Json, retrievedAt: string, url: string) => ({
    ...page,
    __twarc: { url, version: '2.5.0', retrieved_at: retrievedAt },
  });
  return [
    twarc(
      search,
      '2021-09-22T16:39:00+00:00',
      'https://api.twitter.com/2/tweets/search/recent?query=%23kpop',
    ),
    twarc(later, '2021-09-22T17:39:00+00:00', 'https://api.twitter.com/2/tweets/search/recent?query=%23kpop'),
    twarc(lookup, '2022-12-16T19:00:00+00:00', 'https://api.twitter.com/2/tweets?ids=1603823063690199040'),
  ];
}

/** What `twarc2 flatten` makes of pages: one post per line, its author and references inline. */
export function flatten(pages: Json[]): Json[] {
  return pages.flatMap((page) => {
    const includes = (page.includes ?? {}) as { users?: Json[]; tweets?: Json[] };
    const users = new Map((includes.users ?? []).map((user) => [user.id, user]));
    const tweets = new Map((includes.tweets ?? []).map((tweet) => [tweet.id, tweet]));
    const data = Array.isArray(page.data) ? (page.data as Json[]) : [page.data as Json];
    return data.map((post) => ({
      ...post,
      author: users.get(post.author_id),
      ...(post.referenced_tweets
        ? {
            referenced_tweets: (post.referenced_tweets as Json[]).map((ref) => {
              const tweet = tweets.get(ref.id);
              return tweet ? { ...ref, ...tweet, author: users.get(tweet.author_id) } : ref;
            }),
          }
        : {}),
      __twarc: page.__twarc,
    }));
  });
}

/** The boards' truth from the `data` entries alone: latest reading of each post, kinds as X marks them. */
export function truthFromData(pages: Json[]) {
  const latest = new Map<string, { post: Json; username: string }>();
  for (const page of pages) {
    const users = new Map(
      ((page.includes as { users?: Json[] })?.users ?? []).map((user) => [user.id, user]),
    );
    const data = Array.isArray(page.data) ? (page.data as Json[]) : [page.data as Json];
    for (const post of data) {
      const author = users.get(post.author_id);
      if (author) latest.set(String(post.id), { post, username: String(author.username) });
    }
  }
  const boards = {
    posts: new Map<string, number>(),
    reposts: new Map<string, number>(),
    engagement: new Map<string, number>(),
  };
  const add = (board: Map<string, number>, username: string, value: number) =>
    board.set(username, (board.get(username) ?? 0) + value);
  for (const { post, username } of latest.values()) {
    const repost = ((post.referenced_tweets ?? []) as Json[]).some((ref) => ref.type === 'retweeted');
    if (repost) {
      add(boards.reposts, username, 1);
      continue;
    }
    const m = post.public_metrics as Record<string, number>;
    add(boards.posts, username, 1);
    add(
      boards.engagement,
      username,
      (m.like_count ?? 0) + (m.retweet_count ?? 0) + (m.reply_count ?? 0) + (m.quote_count ?? 0),
    );
  }
  return boards;
}
