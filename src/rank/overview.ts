import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import {
  campaignQueries,
  homeTotals,
  mostEngagingPosts,
  postsPerQueryHour,
  windowTotals,
} from '../db/overview-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { followerAccounts, followerValue } from './followers.ts';
import { leaderboard } from './leaderboard.ts';
import { planFor, type Span } from './windows.ts';

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
      windowTotals(trx, campaign, planFor(campaign, window)),
      homeTotals(trx, campaign, window),
      mostEngaging(trx, campaign, window, options.topPosts ?? 10),
      leaderboard(trx, campaign, { metric: 'posts', scope: 'all', ...window, limit: 1, asOf: options.asOf }),
      now > window.from
        ? followerAccounts(trx, campaign, 'watchlist', 'all', { from: window.from, to: now }, [now])
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
  const [queries, counts] = await Promise.all([
    campaignQueries(db, campaign),
    postsPerQueryHour(db, campaign, window),
  ]);
  return queries.map((query) => ({
    queryId: query.id,
    query: query.query,
    active: query.active,
    points: counts.filter((row) => row.queryId === query.id).map(({ at, value }) => ({ at, value })),
  }));
}

/** Campaign posts (not reposts) of the window with the most engagement; ties by newest, then id. */
async function mostEngaging(db: Db, campaign: Campaign, window: Span, limit: number): Promise<TopPost[]> {
  const rows = await mostEngagingPosts(db, campaign, window, limit);
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
