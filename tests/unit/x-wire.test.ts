import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { usableSinceId } from '../../src/collect/poll-query.ts';
import { postIdTime } from '../../src/networks/x/ids.ts';
import { envelopeWire, mapEntries, toPost, toProblem, toUser } from '../../src/networks/x/wire.ts';

// Real captured X API v2 bodies (see each fixture's .source.txt).
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/x-api/${name}.json`, import.meta.url), 'utf8'));

describe('X wire mapping on real captures', () => {
  test('a search page with a partial error keeps every post and reads the problem', () => {
    const body = envelopeWire.parse(fixture('search_recent_page_with_partial_error'));
    const posts = mapEntries(body.data as unknown[], toPost);
    const users = mapEntries(body.includes?.users, toUser);
    const problems = mapEntries(body.errors, toProblem);
    expect(posts).toMatchObject({ skipped: 0 });
    expect(posts.items).toHaveLength(100);
    expect(users.items).toHaveLength(112);
    expect(posts.items.filter((post) => post.kind === 'repost')).toHaveLength(78);
    expect(problems.items).toEqual([
      expect.objectContaining({
        problem: 'resource-not-found',
        suspended: true,
        parameter: 'entities.mentions.username',
        value: 'leeseunggi',
      }),
    ]);
    // 2021 capture: no impression or bookmark counts, which must read as unknown, not zero.
    expect(posts.items[0]?.metrics).toMatchObject({ impression: null, bookmark: null });
    expect(body.meta?.next_token).toMatch(/^b26v/);
  });

  test('a repost credits its author without counting it as a mention', () => {
    const body = fixture('search_recent_page_with_partial_error');
    const raw = (body.data as Array<{ text: string; entities?: { mentions?: unknown[] } }>).find(
      (post) => post.text.startsWith('RT @') && (post.entities?.mentions?.length ?? 0) > 1,
    );
    const post = toPost(raw);
    expect(post?.kind).toBe('repost');
    const attributed = post?.text.match(/^RT @(\w+):/)?.[1]?.toLowerCase();
    expect(post?.mentions).not.toContain(attributed);
    expect(post?.mentions.length).toBe((raw?.entities?.mentions?.length ?? 0) - 1);
  });

  test('a users lookup with partial errors', () => {
    const body = envelopeWire.parse(fixture('users_lookup_by_ids_with_partial_errors'));
    const users = mapEntries(body.data as unknown[], toUser);
    expect(users.items).toHaveLength(96);
    expect(users.items[0]).toMatchObject({
      id: '119369819',
      username: 'DoDirty78',
      metrics: { followers: 580, posts: 55186 },
    });
    const problems = mapEntries(body.errors, toProblem).items;
    expect(problems.filter((p) => p.parameter === 'ids')).toEqual([
      expect.objectContaining({ problem: 'resource-not-found', value: '93071130', suspended: false }),
    ]);
    expect(problems.some((p) => p.problem === 'not-authorized-for-resource')).toBe(true);
  });

  test('impression counts are read where X reports them', () => {
    const body = envelopeWire.parse(fixture('tweets_lookup_with_impression_count'));
    const [post] = mapEntries(body.data as unknown[], toPost).items;
    expect(post?.metrics).toMatchObject({ like: 745, repost: 104, reply: 37, quote: 24, impression: 139075 });
  });
});

describe('toPost', () => {
  const base = {
    id: '806123456789012345',
    text: '#OGP16 hello @Etalab',
    author_id: '12',
    created_at: '2016-12-07T09:00:00.000Z',
    entities: { hashtags: [{ tag: 'OGP16' }], mentions: [{ username: 'Etalab', start: 13 }] },
    public_metrics: { retweet_count: 1, reply_count: 2, like_count: 3, quote_count: 4 },
  };

  test.each([
    ['no reference', undefined, 'post'],
    ['replied_to', [{ type: 'replied_to', id: '1' }], 'reply'],
    ['quoted', [{ type: 'quoted', id: '1' }], 'quote'],
    ['retweeted', [{ type: 'retweeted', id: '1' }], 'repost'],
    [
      'a reply that quotes',
      [
        { type: 'replied_to', id: '1' },
        { type: 'quoted', id: '2' },
      ],
      'quote',
    ],
  ])('%s → %s', (_case, referenced_tweets, kind) => {
    expect(toPost({ ...base, referenced_tweets })?.kind).toBe(kind);
  });

  test('reads the 2026 metric names too, so a rename cannot zero a metric', () => {
    const renamed = {
      ...base,
      public_metrics: { repost_count: 9, reply_count: 0, like_count: 0, quote_count: 0 },
    };
    expect(toPost(renamed)?.metrics.repost).toBe(9);
  });

  test('normalises hashtags and mentions to lower case', () => {
    expect(toPost(base)).toMatchObject({ hashtags: ['ogp16'], mentions: ['etalab'] });
  });

  test.each([
    ['a numeric id', { ...base, id: 806123456789 }],
    ['no author', { ...base, author_id: undefined }],
    ['no metrics', { ...base, public_metrics: undefined }],
    ['a bad date', { ...base, created_at: 'yesterday' }],
  ])('%s is skipped, not guessed', (_case, raw) => {
    expect(toPost(raw)).toBeNull();
  });
});

describe('post ids', () => {
  test('carry their creation time (snowflake)', () => {
    // 1440717170493689866 is a real post of 2021-09-22T16:38:35 (tests/fixtures/x-api).
    expect(new Date(postIdTime('1440717170493689866')).toISOString()).toBe('2021-09-22T16:38:35.333Z');
  });

  test.each([
    ['no cursor yet', null, null],
    ['a cursor of yesterday', '1440717170493689866', '1440717170493689866'],
  ])('usableSinceId: %s', (_case, id, expected) => {
    expect(usableSinceId(id, new Date('2021-09-23T16:00:00Z'))).toBe(expected);
  });

  test('a cursor older than the 7-day reach is dropped rather than refused by X', () => {
    expect(usableSinceId('1440717170493689866', new Date('2021-09-29T16:00:00Z'))).toBeNull();
  });
});
