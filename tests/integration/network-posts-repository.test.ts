import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  insertNetworkAccountReadings,
  storeNetworkMetricReadings,
  storeNetworkPage,
} from '../../src/db/network-posts-repository.ts';
import type { NetworkAccount, NetworkPost } from '../../src/networks/types.ts';
import { applyOgp16 } from '../support/campaign-fixture.ts';
import { createTestDatabase, defined, type TestDatabase } from '../support/services.ts';

/**
 * Storage of Bluesky and Mastodon pages under (network, native id): new rows take negative ids,
 * a replayed page or reading doubles nothing, the query's cursor moves with its page.
 */

let t: TestDatabase;
let campaignId: number;
let queryId: number;
const t0 = new Date('2016-12-08T10:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function account(did: string, handle: string, followers?: number): NetworkAccount {
  return {
    network: 'bluesky',
    id: did,
    handle,
    name: handle.split('.')[0] ?? handle,
    description: null,
    avatarUrl: null,
    createdAt: null,
    counts: followers === undefined ? null : { followers, following: 3, posts: 40, listed: null },
  };
}

function post(rkey: string, did: string, like: number, extra: Partial<NetworkPost> = {}): NetworkPost {
  return {
    network: 'bluesky',
    id: `at://${did}/app.bsky.feed.post/${rkey}`,
    authorId: did,
    createdAt: at(-30),
    text: `#OGP16 ${rkey}`,
    lang: 'en',
    kind: 'post',
    referencedPostId: null,
    hashtags: ['ogp16'],
    mentions: ['did:plc:bob'],
    counts: { like, repost: 1, reply: 0, quote: 0, bookmark: null, impression: null },
    url: null,
    ...extra,
  };
}

const alice = account('did:plc:alice', 'alice.example.org');
const bob = account('did:plc:bob', 'bob.example.org');

beforeAll(async () => {
  t = await createTestDatabase();
  campaignId = (await applyOgp16(t.db, t0)).campaignId;
  const inserted = await sql<{ id: number }>`
    insert into campaign_queries (campaign_id, network, query) values (${campaignId}, 'bluesky', '#OGP16')
    returning id`.execute(t.db);
  queryId = defined(inserted.rows[0]).id;
});

afterAll(async () => {
  await t?.drop();
});

const counts = async () => {
  const { rows } = await sql<Record<string, string>>`select
    (select count(*) from accounts where network = 'bluesky') as accounts,
    (select count(*) from posts where network = 'bluesky') as posts,
    (select count(*) from post_metric_snapshots s join posts p on p.id = s.post_id
      where p.network = 'bluesky') as readings,
    (select count(*) from campaign_posts where campaign_id = ${campaignId}) as links,
    (select count(*) from account_snapshots s join accounts a on a.id = s.account_id
      where a.network = 'bluesky') as followers`.execute(t.db);
  return defined(rows[0]);
};

describe('network posts repository', () => {
  const page = {
    network: 'bluesky' as const,
    posts: [post('a1', 'did:plc:alice', 5), post('b1', 'did:plc:bob', 2), post('x1', 'did:plc:nobody', 9)],
    accounts: [alice, bob],
    observedAt: at(0),
    source: 'recent' as const,
  };

  test('a search page: rows under negative ids, linked, read, the cursor moved; a replay doubles nothing', async () => {
    const match = { campaignId, queryId };
    const cursor = { queryId, value: { until: at(-30).toISOString(), cursor: 'c1' } };
    const first = await storeNetworkPage(t.db, { ...page, match, cursor });
    expect(first).toEqual({ postsNew: 2, postsUpdated: 0, orphans: 1, linked: 2 });
    const { rows: stored } = await sql<{
      id: string;
      like_count: number;
      impression_count: string | null;
      username: string;
      mention_key: string;
    }>`select p.id, p.like_count, p.impression_count, a.username, a.mention_key
      from posts p join accounts a on a.id = p.author_id
      where p.network = 'bluesky' order by p.native_id`.execute(t.db);
    expect(
      stored.map((row) => [row.username, row.like_count, row.impression_count, row.mention_key]),
    ).toEqual([
      ['alice.example.org', 5, null, 'did:plc:alice'],
      ['bob.example.org', 2, null, 'did:plc:bob'],
    ]);
    for (const row of stored) expect(Number(row.id)).toBeLessThan(0);
    const query = await sql<{ cursor: unknown }>`select cursor from campaign_queries
      where id = ${queryId}`.execute(t.db);
    expect(query.rows[0]?.cursor).toEqual(cursor.value);
    const before = await counts();
    expect(before).toMatchObject({ accounts: '2', posts: '2', readings: '2', links: '2' });

    const replay = await storeNetworkPage(t.db, { ...page, match, cursor });
    expect(replay).toEqual({ postsNew: 0, postsUpdated: 2, orphans: 1, linked: 0 });
    expect(await counts()).toEqual(before);

    // A backfill moving its own key leaves the poll's in place.
    await storeNetworkPage(t.db, { ...page, match, cursor: { queryId, value: (s) => ({ walk: s.linked }) } });
    const merged = await sql<{ cursor: unknown }>`select cursor from campaign_queries
      where id = ${queryId}`.execute(t.db);
    expect(merged.rows[0]?.cursor).toEqual({ ...cursor.value, walk: 0 });
  });

  test('a later reading updates the counts; an older one replayed leaves them', async () => {
    const match = { campaignId, queryId };
    await storeNetworkPage(t.db, {
      ...page,
      match,
      posts: [post('a1', 'did:plc:alice', 8)],
      observedAt: at(10),
    });
    await storeNetworkPage(t.db, {
      ...page,
      match,
      posts: [post('a1', 'did:plc:alice', 6)],
      observedAt: at(5),
    });
    const { rows } = await sql<{ like_count: number }>`select like_count from posts
      where native_id = 'at://did:plc:alice/app.bsky.feed.post/a1'`.execute(t.db);
    expect(rows).toEqual([{ like_count: 8 }]);
    const readings = await sql<{ like_count: number }>`select s.like_count from post_metric_snapshots s
      join posts p on p.id = s.post_id where p.native_id = 'at://did:plc:alice/app.bsky.feed.post/a1'
      order by s.observed_at`.execute(t.db);
    expect(readings.rows.map((r) => r.like_count)).toEqual([5, 6, 8]);
  });

  test("a feed's repost of a campaign post joins the campaign under the original's query", async () => {
    const original = post('a1', 'did:plc:alice', 8);
    const repost = post('r1', 'did:plc:bob', 0, {
      kind: 'repost',
      referencedPostId: original.id,
      mentions: [],
    });
    const later = post('c1', 'did:plc:alice', 1);
    const other = post('r2', 'did:plc:bob', 0, { kind: 'repost', referencedPostId: later.id, mentions: [] });
    const stored = await storeNetworkPage(t.db, {
      network: 'bluesky',
      posts: [repost, other],
      accounts: [bob],
      observedAt: at(20),
      source: 'timeline',
      repostsOf: { campaignId },
    });
    expect(stored.postsNew).toBe(2);
    const links = await sql<{ native_id: string; query_id: number }>`select p.native_id, l.query_id
      from campaign_posts l join posts p on p.id = l.post_id
      where l.campaign_id = ${campaignId} and p.kind = 'repost'`.execute(t.db);
    expect(links.rows).toEqual([{ native_id: repost.id, query_id: queryId }]);

    // Search finds the other original later: the repost stored before it joins then.
    await storeNetworkPage(t.db, {
      ...page,
      posts: [later],
      match: { campaignId, queryId },
      observedAt: at(21),
    });
    const relinked = await sql<{ native_id: string }>`select p.native_id
      from campaign_posts l join posts p on p.id = l.post_id
      where l.campaign_id = ${campaignId} and p.kind = 'repost' order by p.native_id`.execute(t.db);
    expect(relinked.rows.map((row) => row.native_id)).toEqual([repost.id, other.id]);
  });

  test('follower readings: once per tick, and a renamed handle follows its DID', async () => {
    const renamed = account('did:plc:alice', 'alice-renamed.example.org', 120);
    expect(
      await insertNetworkAccountReadings(
        t.db,
        'bluesky',
        [renamed, account('did:plc:bob', 'bob.example.org', 7)],
        at(30),
        'tick-1',
      ),
    ).toBe(2);
    expect(await insertNetworkAccountReadings(t.db, 'bluesky', [renamed], at(31), 'tick-1')).toBe(0);
    expect(await insertNetworkAccountReadings(t.db, 'bluesky', [renamed], at(30))).toBe(0);
    const { rows: accounts } = await sql<{ username: string }>`select username from accounts
      where network = 'bluesky' order by native_id`.execute(t.db);
    expect(accounts.map((a) => a.username)).toEqual(['alice-renamed.example.org', 'bob.example.org']);
    const snapshots = await sql<{ followers_count: number; listed_count: number | null }>`
      select s.followers_count, s.listed_count from account_snapshots s join accounts a on a.id = s.account_id
      where a.native_id = 'did:plc:alice'`.execute(t.db);
    expect(snapshots.rows).toEqual([{ followers_count: 120, listed_count: null }]);
  });

  test('a metrics re-read: known posts read again, gone ones flagged deleted, unknown ones not brought in', async () => {
    const before = await counts();
    const result = await storeNetworkMetricReadings(t.db, 'bluesky', {
      found: [post('a1', 'did:plc:alice', 11), post('zz', 'did:plc:alice', 1)],
      missing: ['at://did:plc:bob/app.bsky.feed.post/b1'],
      observedAt: at(40),
    });
    expect(result).toEqual({ posts: 1, deleted: 1 });
    expect(await counts()).toEqual({ ...before, readings: String(Number(before.readings) + 1) });
    const { rows } = await sql<{ like_count: number; deleted: boolean }>`select like_count, deleted
      from posts where network = 'bluesky' and kind = 'post' order by native_id`.execute(t.db);
    expect(rows.map((r) => [r.like_count, r.deleted])).toEqual([
      [11, false],
      [1, false],
      [2, true],
    ]);
  });
});
