import { sql } from 'kysely';
import { ManualClock } from '../../src/clock.ts';
import { storePage } from '../../src/collect/store-page.ts';
import { saveEntities } from '../../src/db/campaign-repository.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { PostKind, XPost, XUser } from '../../src/networks/x/types.ts';
import { silentLog } from './services.ts';

/**
 * Hand-built campaigns for the ranking tests, stored through the collector's own write path
 * (`storePage`: one transaction per page, upserts, campaign links), so the rollups are maintained
 * by the triggers exactly as in production.
 */

export interface FixtureAccount {
  id: string;
  username: string;
}

export interface FixturePost {
  id: string;
  authorId: string;
  createdAt: Date;
  kind: PostKind;
  mentions: string[];
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  impressions: number | null;
  /** campaign queries (by index) that match the post */
  queries: number[];
}

export const xUser = (account: FixtureAccount, followers = 100): XUser => ({
  id: account.id,
  username: account.username,
  name: `Name of ${account.username}`,
  description: null,
  profileImageUrl: null,
  verified: false,
  createdAt: new Date('2010-01-01T00:00:00Z'),
  metrics: { followers, following: 10, posts: 100, listed: 1 },
});

export const xPost = (post: FixturePost): XPost => ({
  id: post.id,
  authorId: post.authorId,
  createdAt: post.createdAt,
  text: `post ${post.id}`,
  lang: 'en',
  kind: post.kind,
  referencedPostId: null,
  conversationId: null,
  hashtags: [],
  mentions: post.mentions,
  metrics: {
    like: post.likes,
    repost: post.reposts,
    reply: post.replies,
    quote: post.quotes,
    bookmark: null,
    impression: post.impressions,
  },
});

/** Stores posts in pages of `pageSize`, each page once per query that matches its posts. */
export async function storePosts(
  db: Db,
  target: { campaignId: number; queryIds: number[]; accounts: FixtureAccount[] },
  posts: FixturePost[],
  observedAt: Date,
  pageSize = 100,
): Promise<void> {
  const ctx = {
    db,
    x: new XClient({ bearerToken: 'unused-by-these-tests', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock(observedAt),
    log: silentLog,
  };
  const users = new Map(target.accounts.map((account) => [account.id, xUser(account)]));
  for (let i = 0; i < posts.length; i += pageSize) {
    const slice = posts.slice(i, i + pageSize);
    for (const [queryIndex, queryId] of target.queryIds.entries()) {
      const matched = slice.filter((post) => post.queries.includes(queryIndex));
      if (matched.length === 0) continue;
      const authors = new Set(matched.map((post) => post.authorId));
      await storePage(ctx, {
        source: 'recent',
        page: {
          posts: matched.map(xPost),
          users: [...users.values()].filter((user) => authors.has(user.id)),
          problems: [],
          newestId: null,
          oldestId: null,
          nextToken: null,
          skipped: 0,
          rateLimit: null,
        },
        observedAt,
        match: { campaignId: target.campaignId, queryId },
      });
    }
  }
}

/** A small deterministic generator (same seed, same numbers). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

export async function createCampaign(
  db: Db,
  campaign: { slug: string; timezone: string; start: string; end: string; home: string; watchlist: string[] },
  queries: string[],
): Promise<{ campaign: Campaign; queryIds: number[] }> {
  const row = await db
    .insertInto('campaigns')
    .values({
      slug: campaign.slug,
      name: campaign.slug,
      timezone: campaign.timezone,
      window_start: campaign.start,
      window_end: campaign.end,
      home_username: campaign.home,
      schedule: JSON.stringify({ live: '* * * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' }),
      updated_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const queryIds: number[] = [];
  for (const query of queries) {
    const inserted = await db
      .insertInto('campaign_queries')
      .values({ campaign_id: row.id, query })
      .returning('id')
      .executeTakeFirstOrThrow();
    queryIds.push(inserted.id);
  }
  await saveEntities(db, row.id, [
    { name: campaign.home, role: 'home', accounts: [{ network: 'x', username: campaign.home }] },
    ...campaign.watchlist.map((username) => ({
      name: username,
      role: 'peer' as const,
      accounts: [{ network: 'x' as const, username }],
    })),
  ]);
  return { campaign: row, queryIds };
}

/** Every rollup row of a campaign, in a stable order: to compare trigger-maintained rollups with a rebuild. */
export async function rollupState(db: Db, campaignId: number): Promise<Record<string, unknown[]>> {
  const tables = {
    rank_posts: 'post_id',
    rank_totals: 'account_id',
    rank_daily: 'day, account_id',
    rank_mentions: 'username',
    rank_mentions_daily: 'day, username',
    rank_mentions_hourly: 'username, hour',
    rank_query_hourly: 'query_id, hour',
    rank_counts: "to_jsonb(r) ->> 'network'",
  } as const;
  const state: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    // Rows that fell back to all zeros are the same as no row.
    const nonZero =
      table === 'rank_posts'
        ? sql`true`
        : sql`to_jsonb(r) - 'campaign_id' - 'account_id' - 'day' - 'username' - 'query_id' - 'hour' - 'counted'
            - 'network' <> (select jsonb_object_agg(key, 0) from jsonb_each(to_jsonb(r) - 'campaign_id'
              - 'account_id' - 'day' - 'username' - 'query_id' - 'hour' - 'counted' - 'network'))`;
    const { rows } = await sql<{ row: unknown }>`
      select to_jsonb(r) as row from ${sql.table(table)} r
      where r.campaign_id = ${campaignId} and ${nonZero}
      order by ${sql.raw(order)}`.execute(db);
    state[table] = rows.map((row) => row.row);
  }
  return state;
}
export function generatePosts(
  accounts: FixtureAccount[],
  seed: number,
  idBase: number,
  spanStart: string,
  spanEnd: string,
  count: number,
) {
  const random = seeded(seed);
  const start = Date.parse(spanStart);
  const span = Date.parse(spanEnd) - start;
  // A few busy accounts and many quiet ones: ties among the quiet ones.
  const weights = accounts.map((_, i) => (i < 3 ? 6 : i < 6 ? 3 : 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = random() * totalWeight;
    for (const [i, weight] of weights.entries()) {
      r -= weight;
      if (r < 0) return accounts[i] as FixtureAccount;
    }
    return accounts[0] as FixtureAccount;
  };
  const posts: FixturePost[] = [];
  for (let i = 0; i < count; i++) {
    const author = pick();
    const kind =
      (['post', 'post', 'post', 'reply', 'quote', 'repost'] as const)[Math.floor(random() * 6)] ?? 'post';
    const mentionCount = Math.floor(random() * 3);
    const mentions: string[] = [];
    for (let m = 0; m < mentionCount; m++) {
      const r = random();
      const name = r < 0.1 ? author.username : r < 0.2 ? 'nobody_known' : pick().username;
      mentions.push(r < 0.5 ? name.toUpperCase() : name);
    }
    if (random() < 0.1) mentions.push(mentions[0] ?? 'alice'); // the same account twice: one mention
    // Cluster a third of the posts around the repeated hour and the day boundaries.
    const offset = random() < 0.3 ? clusterOffset(random, start, span) : random() * span;
    const queries = random() < 0.25 ? [0, 1] : random() < 0.5 ? [1] : [0];
    posts.push({
      id: String(idBase + i),
      authorId: author.id,
      createdAt: new Date(Math.floor(start + offset)),
      kind,
      mentions: mentions.map((name) => name.toLowerCase()),
      likes: Math.floor(random() * 4),
      reposts: Math.floor(random() * 3),
      replies: random() < 0.3 ? 1 : 0,
      quotes: 0,
      impressions: random() < 0.2 ? null : Math.floor(random() * 50),
      queries,
    });
  }
  return posts;
}

function clusterOffset(random: () => number, start: number, span: number): number {
  const anchors = [
    '2016-10-30T00:00:00Z',
    '2016-10-30T01:00:00Z',
    '2016-10-29T22:00:00Z',
    '2016-10-30T23:00:00Z',
    '2017-03-26T01:00:00Z',
    '2017-03-25T23:00:00Z',
  ]
    .map(Date.parse)
    .filter((anchor) => anchor > start && anchor < start + span);
  const anchor = anchors[Math.floor(random() * anchors.length)];
  if (anchor === undefined) return random() * span;
  return Math.min(span - 1, Math.max(0, anchor - start + (random() - 0.5) * 2 * 3600_000));
}
