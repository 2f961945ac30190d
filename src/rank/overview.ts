import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { inSnapshot } from './consistent-read.ts';
import { followerAccounts, followerValue } from './followers.ts';
import { leaderboard } from './leaderboard.ts';
import { accountNamed, accountSpan, accountValues, type Span, strategyFor } from './sources.ts';

export interface QueryActivity {
  queryId: number;
  query: string;
  active: boolean;
  /** posts, replies and quotes the query matched, per hour of their creation (hours without any absent) */
  points: Array<{ at: Date; value: number }>;
}

export interface TopPost {
  id: string;
  username: string;
  name: string;
  text: string;
  createdAt: Date;
  kind: string;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  engagement: number;
  impressions: number | null;
}

export interface Headline {
  username: string;
  /** followers at the last reading at or before min(to, asOf) */
  followers: number | null;
  /** followers gained over the window so far (nearest readings, as the follower_growth metric) */
  followerGrowth: number | null;
  /** rank by posts on the window, and how many accounts are ranked */
  rank: number | null;
  total: number;
}

export interface Overview {
  from: Date;
  to: Date;
  postsPerHour: QueryActivity[];
  /** accounts that authored a campaign post (any kind) in the window */
  uniqueAuthors: number;
  posts: number;
  engagement: number;
  home: {
    posts: number;
    engagement: number;
    /** the home account's part of the campaign's posts and engagement, 0–1 (null: nothing to share) */
    shareOfPosts: number | null;
    shareOfEngagement: number | null;
  };
  topPosts: TopPost[];
  headline: Headline;
}

/**
 * The campaign at a glance over [from, to): activity per query and hour, unique authors, the home
 * account's share of voice, the most engaging posts and the parts of the headline sentence
 * ("@OpenData_Forum: 512 followers (+318 during the event), n°3 of 4,211 accounts by posts").
 */
export async function overview(
  db: Db,
  campaign: Campaign,
  options: { from: Date; to: Date; asOf: Date; topPosts?: number },
): Promise<Overview> {
  const window = { from: options.from, to: options.to };
  const now = new Date(Math.min(options.to.getTime(), options.asOf.getTime()));
  return inSnapshot(db, async (trx) => {
    const [postsPerHour, campaignTotals, home, topPosts, board, followers] = await Promise.all([
      activityPerHour(trx, campaign, window),
      totalsOf(trx, campaign, window),
      homeTotals(trx, campaign, window),
      mostEngaging(trx, campaign, window, options.topPosts ?? 10),
      leaderboard(trx, campaign, { metric: 'posts', scope: 'all', ...window, limit: 1, asOf: options.asOf }),
      now > window.from
        ? followerAccounts(trx, campaign, 'watchlist', { from: window.from, to: now }, [now])
        : Promise.resolve([]),
    ]);
    const homeFollowers = followers.find(
      (account) => account.username.toLowerCase() === campaign.home_username.toLowerCase(),
    );
    const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);
    return {
      from: window.from,
      to: window.to,
      postsPerHour,
      uniqueAuthors: campaignTotals.authors,
      posts: campaignTotals.posts,
      engagement: campaignTotals.engagement,
      home: {
        ...home,
        shareOfPosts: share(home.posts, campaignTotals.posts),
        shareOfEngagement: share(home.engagement, campaignTotals.engagement),
      },
      topPosts,
      headline: {
        username: campaign.home_username,
        followers: homeFollowers ? followerValue(homeFollowers, 'followers', 'watchlist', now, 0) : null,
        followerGrowth: homeFollowers
          ? followerValue(homeFollowers, 'follower_growth', 'watchlist', now, 0)
          : null,
        rank: board.home?.rank ?? null,
        total: board.total,
      },
    };
  });
}

async function activityPerHour(db: Db, campaign: Campaign, window: Span): Promise<QueryActivity[]> {
  const tz = sql`${campaign.timezone}::text`;
  const from = sql`${window.from.toISOString()}::timestamptz`;
  const to = sql`${window.to.toISOString()}::timestamptz`;
  // Whole hours from the hourly rollup; the parts of hours at the window's ends from the ledger.
  const firstWhole = sql`(case when date_trunc('hour', ${from}, ${tz}) = ${from} then ${from}
    else date_trunc('hour', date_trunc('hour', ${from}, ${tz}) + interval '90 minutes', ${tz}) end)`;
  const lastWhole = sql`date_trunc('hour', ${to}, ${tz})`;
  const [queries, counts] = await Promise.all([
    db
      .selectFrom('campaign_queries')
      .select(['id', 'query', 'active'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('id')
      .execute(),
    sql<{ query_id: number; at: Date; value: number }>`
      select query_id, at, sum(value)::int as value from (
        select q.query_id, q.hour as at, q.posts as value from rank_query_hourly q
        where q.campaign_id = ${campaign.id} and q.hour >= ${firstWhole} and q.hour < ${lastWhole}
        union all
        select e.query_id, date_trunc('hour', l.created_at, ${tz}), 1
        from rank_posts l cross join unnest(l.query_ids) as e(query_id)
        where l.campaign_id = ${campaign.id} and not l.repost and (
          (l.created_at >= ${from} and l.created_at < least(${firstWhole}, ${to}))
          or (l.created_at >= greatest(${lastWhole}, ${firstWhole}) and l.created_at < ${to}))
      ) parts
      group by 1, 2 having sum(value) > 0
      order by 1, 2`.execute(db),
  ]);
  return queries.map((query) => ({
    queryId: query.id,
    query: query.query,
    active: query.active,
    points: counts.rows
      .filter((row) => row.query_id === query.id)
      .map((row) => ({ at: new Date(row.at), value: row.value })),
  }));
}

async function totalsOf(
  db: Db,
  campaign: Campaign,
  window: Span,
): Promise<{ authors: number; posts: number; engagement: number }> {
  if (strategyFor(campaign, window) === 'totals') {
    const row = await db
      .selectFrom('rank_counts')
      .select(['authors', 'sum_posts', 'sum_engagement'])
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirst();
    return {
      authors: row?.authors ?? 0,
      posts: Number(row?.sum_posts ?? 0),
      engagement: Number(row?.sum_engagement ?? 0),
    };
  }
  const { rows } = await sql<{ authors: number; posts: number; engagement: number }>`
    with p as (${accountValues(campaign, 'posts', window)}),
      r as (${accountValues(campaign, 'reposts', window)}),
      e as (${accountValues(campaign, 'engagement', window)})
    select
      (select count(*) from (select account_id from p where value > 0
        union select account_id from r where value > 0) a)::int as authors,
      (select coalesce(sum(value), 0) from p)::float8 as posts,
      (select coalesce(sum(value), 0) from e)::float8 as engagement`.execute(db);
  const row = rows[0];
  return {
    authors: row?.authors ?? 0,
    posts: Number(row?.posts ?? 0),
    engagement: Number(row?.engagement ?? 0),
  };
}

async function homeTotals(
  db: Db,
  campaign: Campaign,
  window: Span,
): Promise<{ posts: number; engagement: number }> {
  const home = sql`select ${accountNamed(sql`lower(${campaign.home_username}::text)`)}`;
  const { rows } = await sql<{ posts: number; engagement: number }>`
    select
      (select coalesce(sum(value), 0) from (${accountSpan(campaign, 'posts', window, home)}) p)::float8 as posts,
      (select coalesce(sum(value), 0) from (${accountSpan(campaign, 'engagement', window, home)}) e)::float8
        as engagement`.execute(db);
  return { posts: Number(rows[0]?.posts ?? 0), engagement: Number(rows[0]?.engagement ?? 0) };
}

/** Campaign posts (not reposts) of the window with the most engagement; ties by newest, then id. */
async function mostEngaging(db: Db, campaign: Campaign, window: Span, limit: number): Promise<TopPost[]> {
  const { rows } = await sql<{
    id: string;
    username: string;
    name: string;
    text: string;
    created_at: Date;
    kind: string;
    like_count: number;
    repost_count: number;
    reply_count: number;
    quote_count: number;
    engagement: string;
    impression_count: string | null;
  }>`
    select p.id, a.username, a.name, p.text, p.created_at, p.kind, p.like_count, p.repost_count,
      p.reply_count, p.quote_count, l.engagement, p.impression_count
    from rank_posts l
    join posts p on p.id = l.post_id
    join accounts a on a.id = l.author_id
    where l.campaign_id = ${campaign.id} and not l.repost
      and l.created_at >= ${window.from.toISOString()}::timestamptz
      and l.created_at < ${window.to.toISOString()}::timestamptz
    order by l.engagement desc, l.created_at desc, l.post_id desc
    limit ${limit}`.execute(db);
  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    name: row.name,
    text: row.text,
    createdAt: row.created_at,
    kind: row.kind,
    likes: row.like_count,
    reposts: row.repost_count,
    replies: row.reply_count,
    quotes: row.quote_count,
    engagement: Number(row.engagement),
    impressions: row.impression_count === null ? null : Number(row.impression_count),
  }));
}
