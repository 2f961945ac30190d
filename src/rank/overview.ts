import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import {
  campaignQueries,
  headlineSubjects,
  homeTotals,
  mostEngagingPosts,
  postsPerQueryHour,
  windowTotals,
} from '../db/overview-repository.ts';
import type { Campaign } from '../db/schema.ts';
import type { Network } from '../networks/types.ts';
import { type FollowerAccount, followerAccounts, followerValue } from './followers.ts';
import { leaderboard } from './leaderboard.ts';
import type { NetworkChoice } from './metrics.ts';
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
  network: Network;
  /** the post's id on its network (X: the id; Bluesky: its at:// URI; Mastodon: its uri) */
  nativeId: string;
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

/** The home entity's figures on one network, or on every network (docs/METRICS.md, "Headline"). */
export interface HeadlineFigures {
  /** followers at the last reading at or before min(to, asOf), summed over the home's accounts */
  followers: number | null;
  /** followers gained over the window so far (nearest readings, as the follower_growth metric) */
  followerGrowth: number | null;
  /** the home's best rank by posts on the window in scope `all`, and how many accounts are ranked */
  rank: number | null;
  total: number;
}

export interface Headline extends HeadlineFigures {
  /** the home's handle on the network asked (its X username on `all` when it has one) */
  username: string;
  /** the same figures on each network the campaign follows, in the order of `networks` */
  networks: Array<HeadlineFigures & { network: Network; username: string | null }>;
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
  options: { from: Date; to: Date; asOf: Date; topPosts?: number; network?: NetworkChoice },
): Promise<Overview> {
  const window = { from: options.from, to: options.to };
  const network = options.network ?? 'all';
  const now = new Date(Math.min(options.to.getTime(), options.asOf.getTime()));
  return inSnapshot(db, async (trx) => {
    const { networks, home: homeAccounts } = await headlineSubjects(trx, campaign);
    const [postsPerHour, campaignTotals, home, topPosts, followers] = await Promise.all([
      activityPerHour(trx, campaign, window, network),
      windowTotals(trx, campaign, planFor(campaign, window), network),
      homeTotals(
        trx,
        campaign,
        window,
        homeAccounts.flatMap((account) =>
          account.accountId && (network === 'all' || account.network === network) ? [account.accountId] : [],
        ),
      ),
      mostEngaging(trx, campaign, window, options.topPosts ?? 10, network),
      now > window.from
        ? followerAccounts(trx, campaign, 'watchlist', 'all', { from: window.from, to: now }, [now])
        : Promise.resolve([]),
    ]);
    const homeIds = new Set(
      homeAccounts.flatMap((account) => (account.accountId ? [account.accountId] : [])),
    );
    const homeFollowers = followers.filter((account) => homeIds.has(account.accountId));
    const handleOn = (on: Network) => homeAccounts.find((account) => account.network === on)?.handle ?? null;
    /** The home's figures on one network (or all): its best rank by posts, its accounts' followers summed. */
    const figuresOn = async (on: NetworkChoice): Promise<HeadlineFigures> => {
      const board = await leaderboard(trx, campaign, {
        metric: 'posts',
        scope: 'all',
        network: on,
        ...window,
        limit: 1,
        asOf: options.asOf,
      });
      const accounts = homeFollowers.filter((account) => on === 'all' || account.network === on);
      return { ...followersOf(accounts, now), rank: board.home?.rank ?? null, total: board.total };
    };
    // A campaign of one network: the board of every network is that network's, read once.
    const single = networks.length === 1 ? networks[0] : undefined;
    const ons = [
      ...new Set<NetworkChoice>([network, ...networks.filter((on) => !(on === single && network === 'all'))]),
    ];
    const read = new Map(await Promise.all(ons.map(async (on) => [on, await figuresOn(on)] as const)));
    const figures = (on: NetworkChoice) =>
      read.get(on) ?? (on === single && network === 'all' ? read.get('all') : undefined);
    const none: HeadlineFigures = { followers: null, followerGrowth: null, rank: null, total: 0 };
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
        username: (network === 'all' ? null : handleOn(network)) ?? campaign.home_username,
        ...(figures(network) ?? none),
        networks: networks.map((on) => ({
          network: on,
          username: handleOn(on),
          ...(figures(on) ?? none),
        })),
      },
    };
  });
}

/** Followers and growth of the home's accounts, summed (null when none of them has a value). */
function followersOf(
  accounts: FollowerAccount[],
  now: Date,
): Pick<HeadlineFigures, 'followers' | 'followerGrowth'> {
  const sum = (metric: 'followers' | 'follower_growth') => {
    const values = accounts
      .map((account) => followerValue(account, metric, 'watchlist', now, 0))
      .filter((value): value is number => value !== null);
    return values.length > 0 ? values.reduce((total, value) => total + value, 0) : null;
  };
  return { followers: sum('followers'), followerGrowth: sum('follower_growth') };
}

async function activityPerHour(
  db: Db,
  campaign: Campaign,
  window: Span,
  network: NetworkChoice,
): Promise<QueryActivity[]> {
  const [queries, counts] = await Promise.all([
    campaignQueries(db, campaign, network),
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
async function mostEngaging(
  db: Db,
  campaign: Campaign,
  window: Span,
  limit: number,
  network: NetworkChoice,
): Promise<TopPost[]> {
  const rows = await mostEngagingPosts(db, campaign, window, limit, network);
  return rows.map((row) => ({
    id: row.id,
    network: row.network,
    nativeId: row.native_id,
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
