import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { activeQueries } from '../../src/db/campaign-repository.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign, Network } from '../../src/db/schema.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { metrics, networkChoices, scopes } from '../../src/rank/metrics.ts';
import { movementEnds } from '../../src/rank/windows.ts';
import { type FixtureAccount, type FixturePost, storePosts } from '../support/rank-fixtures.ts';
import { referenceLeaderboard } from '../support/rank-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * Boards per network against the GROUP BY oracle (tests/support/rank-oracle.ts): X posts stored
 * through the X write path, Bluesky and Mastodon accounts and posts written with their native ids
 * (DIDs, at:// URIs, status and account uris) and mentions by those keys, a Bluesky account renamed
 * after it was mentioned. Every metric, both scopes, each network and all of them, two windows.
 */

const file = parseCampaignFile(
  `slug: forum26
name: Forum 2026
timezone: Europe/Paris
window: { start: 2026-12-07T00:00:00+01:00, end: 2026-12-10T00:00:00+01:00 }
home: { name: Open Data Forum, x: OpenData_Forum, bluesky: opendataforum.bsky.social, mastodon: forum@mastodon.example }
queries:
  x: ["#OGP16"]
  bluesky: ["#OGP16"]
  mastodon: { tags: [OGP16], instances: [mastodon.example] }
watchlist: [{ name: Etalab, x: etalab, bluesky: etalab.gouv.fr }, alice]
`,
  'forum26.yaml',
);
const observedAt = new Date('2026-12-10T12:00:00Z');
const at = (hours: number) => new Date(Date.parse('2026-12-07T00:00:00+01:00') + hours * 3600_000);

const xAccounts: FixtureAccount[] = [
  { id: '101', username: 'OpenData_Forum' },
  { id: '102', username: 'etalab' },
  { id: '103', username: 'alice' },
  { id: '104', username: 'bob' },
];

interface NetworkAccount {
  network: Exclude<Network, 'x'>;
  native: string;
  handle: string;
}
const others: NetworkAccount[] = [
  { network: 'bluesky', native: 'did:plc:forum', handle: 'opendataforum.bsky.social' },
  { network: 'bluesky', native: 'did:plc:etalab', handle: 'etalab.gouv.fr' },
  { network: 'bluesky', native: 'did:plc:carol', handle: 'carol.bsky.social' },
  { network: 'mastodon', native: 'https://mastodon.example/users/forum', handle: 'forum@mastodon.example' },
  { network: 'mastodon', native: 'https://mastodon.example/users/Dave', handle: 'Dave@mastodon.example' },
];

let t: TestDatabase;
let db: Db;
let campaign: Campaign;

/** A Bluesky or Mastodon post, linked to the campaign's query of its network. */
async function storeOther(
  author: NetworkAccount,
  n: number,
  hours: number,
  counts: [number, number, number, number],
  mentions: string[],
  kind: 'post' | 'repost' = 'post',
): Promise<void> {
  const [authorRow] = (
    await sql<{
      id: string;
    }>`select id from accounts where network = ${author.network} and native_id = ${author.native}`.execute(db)
  ).rows;
  const native =
    author.network === 'bluesky'
      ? `at://${author.native}/app.bsky.feed.post/${n}`
      : `${author.native.replace('/users/', '/@')}/statuses/${n}`;
  const query = (await activeQueries(db, campaign.id, author.network))[0];
  await db.transaction().execute(async (trx) => {
    const post = await trx
      .insertInto('posts')
      .values({
        network: author.network,
        native_id: native,
        author_id: authorRow?.id as string,
        created_at: at(hours),
        text: `post ${n}`,
        lang: 'en',
        kind,
        referenced_post_id: null,
        conversation_id: null,
        hashtags: ['ogp16'],
        mentions,
        like_count: counts[0],
        repost_count: counts[1],
        reply_count: counts[2],
        quote_count: counts[3],
        bookmark_count: null,
        impression_count: null,
        metrics_observed_at: observedAt,
        first_seen_at: observedAt,
        source: 'recent',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('campaign_posts')
      .values({
        campaign_id: campaign.id,
        query_id: query?.id as number,
        post_id: post.id,
        matched_at: observedAt,
      })
      .execute();
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  const { campaignId } = await applyCampaign(db, file, observedAt);
  campaign = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();

  const rows: Array<[number, number, number[], string[]]> = [
    [101, 2, [5, 1, 0, 0], []],
    [101, 30, [2, 0, 1, 0], ['etalab']],
    [102, 3, [9, 2, 2, 1], ['OpenData_Forum']],
    [103, 40, [1, 0, 0, 0], ['OPENDATA_FORUM', 'bob']],
    [104, 50, [0, 0, 0, 0], ['alice']],
    [104, 80, [3, 3, 3, 3], []],
  ];
  const xPosts: FixturePost[] = rows.map(
    ([author, hours, [likes = 0, reposts = 0, replies = 0, quotes = 0], mentions], i) => ({
      id: String(9000 + i),
      authorId: String(author),
      createdAt: at(hours),
      kind: 'post',
      mentions,
      likes,
      reposts,
      replies,
      quotes,
      impressions: 100 * (i + 1),
      queries: [0],
    }),
  );
  const xQuery = (await activeQueries(db, campaign.id, 'x'))[0];
  await storePosts(
    db,
    { campaignId: campaign.id, queryIds: [xQuery?.id as number], accounts: xAccounts },
    xPosts,
    observedAt,
  );

  await db
    .insertInto('accounts')
    .values(
      others.map((a) => ({
        network: a.network,
        native_id: a.native,
        username: a.handle,
        name: `Name of ${a.handle}`,
        description: null,
        profile_image_url: null,
        verified: null,
        created_at: null,
        first_seen_at: observedAt,
        last_seen_at: observedAt,
      })),
    )
    .execute();
  const [forumSky, etalabSky, carol, forumToot, dave] = others as [
    NetworkAccount,
    NetworkAccount,
    NetworkAccount,
    NetworkAccount,
    NetworkAccount,
  ];
  await storeOther(forumSky, 1, 5, [10, 2, 1, 0], [etalabSky.native]);
  await storeOther(etalabSky, 2, 6, [4, 1, 0, 1], [forumSky.native, carol.native]);
  await storeOther(carol, 3, 31, [20, 5, 2, 2], [forumSky.native]);
  await storeOther(carol, 4, 60, [0, 0, 0, 0], [], 'repost');
  await storeOther(forumToot, 5, 7, [3, 3, 0, 0], [dave.native]);
  await storeOther(dave, 6, 45, [8, 1, 1, 0], [forumToot.native, 'https://elsewhere.example/users/nobody']);
  // carol renames her handle: mentions of her DID still count.
  await db
    .updateTable('accounts')
    .set({ username: 'carol.example.org' })
    .where('native_id', '=', carol.native)
    .execute();

  const readings = [...xAccounts.map((a) => a.id)];
  const ids = (await db.selectFrom('accounts').select('id').execute()).map((row) => row.id);
  for (const [i, id] of ids.entries()) {
    for (const [k, instant] of [at(-1), at(36), at(72)].entries()) {
      await db
        .insertInto('account_snapshots')
        .values({
          account_id: id,
          observed_at: instant,
          followers_count: 100 + i * 10 + k * (i + 1),
          following_count: 1,
          post_count: 1,
          listed_count: readings.includes(id) ? 0 : null,
        })
        .execute();
    }
  }
}, 120_000);

afterAll(async () => t?.drop());

describe('boards per network', () => {
  test.each([
    ['the campaign window', undefined],
    ['the second day', { from: at(24), to: at(48) }],
  ])('%s: every metric, both scopes, each network and all, with movement', async (_name, window) => {
    const from = window?.from ?? campaign.window_start;
    const to = window?.to ?? campaign.window_end;
    // Read while the window is open: an hour ago is hour 45, the day started at hour 24.
    const asOf = at(46);
    const ends = movementEnds(campaign, { from, to }, asOf);
    for (const network of networkChoices) {
      for (const metric of metrics) {
        for (const scope of scopes) {
          const what = `${metric}/${scope}/${network} [${from.toISOString()}, ${to.toISOString()})`;
          const board = await leaderboard(db, campaign, {
            metric,
            scope,
            network,
            from,
            to,
            asOf,
            limit: 500,
          });
          const expected = await referenceLeaderboard(db, campaign, { metric, scope, network, from, to });
          expect(
            board.rows.map((r) => [r.rank, r.accountId, r.value]),
            what,
          ).toEqual(expected.map((r) => [r.rank, r.accountId, r.value]));
          expect(board.total, what).toBe(expected.length);
          const home = expected.find((r) => r.isHome);
          expect([board.home?.accountId ?? null, board.home?.rank ?? null], what).toEqual([
            home?.accountId ?? null,
            home?.rank ?? null,
          ]);
          if (network !== 'all')
            expect(
              board.rows.every((r) => r.network === network),
              what,
            ).toBe(true);
          for (const [key, end] of [
            ['rankHourAgo', ends.hourAgo],
            ['rankDayStart', ends.dayStart],
          ] as const) {
            const earlier = end
              ? await referenceLeaderboard(db, campaign, { metric, scope, network, from, to: end })
              : [];
            const rankOf = new Map(earlier.map((r) => [r.accountId, r.rank]));
            expect(
              board.rows.map((r) => [r.accountId, r[key]]),
              `${what} ${key}`,
            ).toEqual(board.rows.map((r) => [r.accountId, rankOf.get(r.accountId) ?? null]));
          }
        }
      }
    }
  });

  test('all ranks the networks together, each row naming its network', async () => {
    const board = await leaderboard(db, campaign, { metric: 'engagement', scope: 'all' });
    expect(new Set(board.rows.map((r) => r.network))).toEqual(new Set(['x', 'bluesky', 'mastodon']));
    // carol's post (29) tops the board; the home entity's best account is its Bluesky one (13).
    expect(board.rows[0]).toMatchObject({ network: 'bluesky', username: 'carol.example.org', value: 29 });
    expect(board.home).toMatchObject({
      network: 'bluesky',
      username: 'opendataforum.bsky.social',
      value: 13,
    });
  });

  test('mentions by key: a renamed Bluesky handle still counts, and X usernames in any case', async () => {
    const board = await leaderboard(db, campaign, { metric: 'mentions', scope: 'all' });
    const value = (username: string) => board.rows.find((r) => r.username === username)?.value;
    expect(value('carol.example.org')).toBe(1);
    expect(value('opendataforum.bsky.social')).toBe(2);
    expect(value('OpenData_Forum')).toBe(2);
    expect(value('forum@mastodon.example')).toBe(1);
  });

  test('impressions are not available off X: nothing ranked there', async () => {
    for (const network of ['bluesky', 'mastodon'] as const) {
      const board = await leaderboard(db, campaign, { metric: 'impressions', scope: 'all', network });
      expect(board).toMatchObject({ total: 0, rows: [], home: null });
    }
  });
});

describe('the watchlist ranks entities', () => {
  test('each entity sums its accounts on the networks asked for, and lists their networks', async () => {
    for (const metric of ['posts', 'followers'] as const) {
      const accounts = await leaderboard(db, campaign, { metric, scope: 'all', limit: 500 });
      const entities = await leaderboard(db, campaign, { metric, scope: 'watchlist', limit: 500 });
      const accountValue = (handle: string) => accounts.rows.find((r) => r.username === handle)?.value ?? 0;
      const etalab = entities.rows.find((r) => r.entity?.name === 'Etalab');
      expect(etalab?.entity?.networks, metric).toEqual(['x', 'bluesky']);
      expect(
        accountValue('etalab') * accountValue('etalab.gouv.fr'),
        `${metric}: both accounts count`,
      ).toBeGreaterThan(0);
      expect(etalab?.value, metric).toBe(accountValue('etalab') + accountValue('etalab.gouv.fr'));
      expect(entities.home?.entity?.name, metric).toBe('Open Data Forum');
      const onBluesky = await leaderboard(db, campaign, { metric, scope: 'watchlist', network: 'bluesky' });
      const etalabOnBluesky = onBluesky.rows.find((r) => r.entity?.name === 'Etalab');
      expect([etalabOnBluesky?.entity?.networks, etalabOnBluesky?.value], metric).toEqual([
        ['bluesky'],
        accountValue('etalab.gouv.fr'),
      ]);
    }
  });
});
