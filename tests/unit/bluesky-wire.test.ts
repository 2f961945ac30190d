import { readFileSync } from 'node:fs';
import { type AppBskyActorDefs, type AppBskyFeedDefs, lexicons } from '@atproto/api';
import { describe, expect, test } from 'vitest';
import { textHashtags, toAccount, toFeedItem, toPost } from '../../src/networks/bluesky/wire.ts';
import type { NetworkPost } from '../../src/networks/types.ts';

/** The wire→domain mapping on bodies the live Bluesky AppView sent (tests/fixtures/bluesky-api/*.source.txt). */

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/bluesky-api/${name}.json`, import.meta.url), 'utf8'));

function mapped(result: ReturnType<typeof toPost>): NetworkPost {
  if (!result.ok) throw new Error(`unmapped: ${result.problem.reason}`);
  return result.value;
}

const postView = (name: string) => fixture(name) as AppBskyFeedDefs.PostView;

describe('Bluesky wire mapping on real bodies', () => {
  test('a real author feed: valid output, every item mapped, reposts by the feed owner', () => {
    const body = fixture('getAuthorFeed.real-osmote-2024-01') as { feed: AppBskyFeedDefs.FeedViewPost[] };
    expect(() => lexicons.assertValidXrpcOutput('app.bsky.feed.getAuthorFeed', body)).not.toThrow();
    const posts = body.feed.map((item) => mapped(toFeedItem(item)));
    const kinds: Record<string, number> = {};
    for (const p of posts) kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
    expect(kinds).toEqual({ repost: 23, reply: 20, post: 5, quote: 2 });
    for (const repost of posts.filter((p) => p.kind === 'repost')) {
      expect(repost.authorId).toBe('did:plc:etdcb47v54mwv2wdufhi4tu6');
      expect(repost.mentions).toEqual([]);
      // 2024 servers sent no repost uri: one repost per account and post stands in for it.
      expect(repost.id).toBe(`repost:did:plc:etdcb47v54mwv2wdufhi4tu6:${repost.referencedPostId}`);
    }
    for (const post of posts) {
      expect(post.counts.impression).toBeNull();
      for (const did of post.mentions) expect(did).toMatch(/^did:/);
    }
  });

  test('a quote: kind, quoted URI, and no mentions from the quoted post’s facets', () => {
    const post = mapped(toPost(postView('postView.real-quote-with-mention-facets-2025-02')));
    expect(post).toMatchObject({
      kind: 'quote',
      authorId: 'did:plc:grjqrmpcr7bcrwxmll7weidf',
      referencedPostId: 'at://did:plc:6y3jllixhqf3vjupdvzdtxsf/app.bsky.feed.post/3lhmdqmtrj22m',
      mentions: [],
      counts: { like: 1, repost: 1, reply: 0, quote: 0, bookmark: null, impression: null },
      url: 'https://bsky.app/profile/did:plc:grjqrmpcr7bcrwxmll7weidf/post/3lhmjfkl44s2y',
    });
  });

  test('tag facets become lower-cased hashtags', () => {
    const post = mapped(toPost(postView('postView.real-video-tag-facets-2025-02')));
    expect(post.hashtags).toEqual(['swiftui', 'ios', 'beginner', 'code', 'keeplearning']);
    expect(post.kind).toBe('post');
  });

  test('a reply points at its parent', () => {
    const post = mapped(toPost(postView('postView.real-reply-2025-02')));
    expect(post.kind).toBe('reply');
    expect(post.referencedPostId).toBe(
      'at://did:plc:x2rfmy3ldn2k6d2diyp7ofi2/app.bsky.feed.post/3lhmfcfualc2s',
    );
  });

  test('a repost of a quote: the reposter, the repost time, the quote as the referenced post', () => {
    const repost = mapped(
      toFeedItem(fixture('feedViewPost.real-repost-of-quote-2025-02') as AppBskyFeedDefs.FeedViewPost),
    );
    expect(repost).toMatchObject({
      kind: 'repost',
      authorId: 'did:plc:lw5dadzkguntwgkj2jxmulxk',
      referencedPostId: 'at://did:plc:niay7ajcptgklwrhknvnhk44/app.bsky.feed.post/3lhjnkjle5s2o',
      createdAt: new Date('2025-02-06T17:58:31.348Z'),
      mentions: [],
    });
  });

  test('a body from before quote counts existed reads 0 quotes', () => {
    const body = fixture('getPosts.real-2024-02') as { posts: AppBskyFeedDefs.PostView[] };
    const post = mapped(toPost(body.posts[0] as AppBskyFeedDefs.PostView));
    expect(post.counts.quote).toBe(0);
    expect(post.kind).toBe('reply');
  });

  test('a real profile: follower counts, no listed count', () => {
    const body = fixture('getProfiles.real-andresitorresm-2026-01') as {
      profiles: AppBskyActorDefs.ProfileViewDetailed[];
    };
    const account = toAccount(body.profiles[0] as AppBskyActorDefs.ProfileViewDetailed);
    expect(account).toMatchObject({
      network: 'bluesky',
      id: 'did:plc:3nlkmby2zllrhcj6z5dnicui',
      handle: 'andresitorresm.com',
      counts: { followers: 676, following: 3712, posts: 422, listed: null },
    });
  });

  test('a record that is no valid post is reported, not mapped', () => {
    const view = postView('postView.real-reply-2025-02');
    const result = toPost({ ...view, record: { ...view.record, createdAt: 'yesterday' } });
    expect(result.ok).toBe(false);
  });
});

describe('hashtags written in the text', () => {
  test.each([
    ['#OGP16 at the summit', ['OGP16']],
    ['trailing punctuation: #OGP16.', ['OGP16']],
    ['only digits: #2016', []],
    ['glued: open#data', []],
    ['accents: #DonnéesOuvertes!', ['DonnéesOuvertes']],
    ['two: #a #b', ['a', 'b']],
    ['full-width: ＃OGP16', ['OGP16']],
  ])('%s', (text, tags) => {
    expect(textHashtags(text)).toEqual(tags);
  });
});
