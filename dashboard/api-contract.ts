import type { TopPost } from '../src/db/account-repository.ts';

/**
 * JSON shapes of the dashboard API, shared by the routes and the browser code. Dates travel as ISO
 * 8601 strings; X ids as strings.
 */

export interface CampaignJson {
  slug: string;
  name: string;
  timezone: string;
  window: { start: string; end: string };
  home: string;
}

export interface LeaderboardRowJson {
  rank: number;
  accountId: string;
  /** the network of the account: x, bluesky or mastodon */
  network: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  value: number;
  isHome: boolean;
}

export interface LeaderboardJson {
  campaign: string;
  metric: string;
  scope: string;
  /** x, bluesky, mastodon, or all (every network ranked together) */
  network: string;
  from: string;
  to: string;
  /** the application clock when the ranking was read (the replayed time in demo mode) */
  asOf: string;
  /** accounts ranked (with a value above zero) */
  total: number;
  rows: LeaderboardRowJson[];
  /** the home account's row, also when it is outside `rows` */
  home: LeaderboardRowJson | null;
}

export interface SeriesJson {
  campaign: string;
  username: string;
  metric: 'followers';
  interval: 'hour' | 'day';
  from: string;
  to: string;
  asOf: string;
  points: { at: string; value: number }[];
}

export interface ErrorJson {
  error: { code: string; message: string };
}

/** What the live leaderboard page embeds for its first paint and its refreshes. */
export interface PageData {
  lang: 'en' | 'fr';
  timezone: string;
  homeUsername: string;
  leaderboardUrl: string;
  seriesUrl: string;
  refreshMs: number;
  leaderboard: LeaderboardJson;
  series: SeriesJson;
}

/** The leaderboard metrics of the ranking API (docs/METRICS.md), in the order the switch shows them. */
export const leaderboardMetrics = [
  'posts',
  'reposts',
  'engagement',
  'impressions',
  'mentions',
  'followers',
  'follower_growth',
  'follower_growth_pct',
] as const;
export const leaderboardScopes = ['all', 'watchlist'] as const;

/** What the live leaderboard page embeds beyond `PageData`: its switches, live feed and charts. */
export interface CampaignPageData extends PageData {
  slug: string;
  name: string;
  /** `/api/v1/campaigns/<slug>`: the JSON API of this campaign */
  apiBase: string;
  eventsUrl: string;
  metric: string;
  scope: string;
  limit: number;
  /** false while the ranking API has no such metric: the page says so instead of a table */
  metricAvailable: boolean;
  leaderboard: RankedLeaderboardJson;
  /** peers of the watchlist the follower chart can compare the home account with */
  peers: string[];
  lastCollectedAt: string | null;
}

/** What the account page embeds for its charts. */
export interface AccountPageData {
  lang: 'en' | 'fr';
  timezone: string;
  slug: string;
  username: string;
  apiBase: string;
  from: string;
  to: string;
}

/** The SSE events of `GET /api/v1/campaigns/:slug/events`. */
export interface CampaignUpdateEventJson {
  campaign: string;
  /** when the dashboard relayed the write (application clock) */
  at: string;
}

/** Answers of the admin write routes. */
export interface WatchlistChangeJson {
  campaign: string;
  username: string;
  /** false when the account was already on the watchlist (or already absent) */
  changed: boolean;
  /** a follower snapshot of the watchlist was queued, so the new account's figures come now */
  snapshotQueued: boolean;
}

export interface QueryChangeJson {
  campaign: string;
  id: number;
  query: string;
  active: boolean;
  changed: boolean;
  /** a poll of the campaign's queries was queued */
  pollQueued: boolean;
}

/** `POST …/backfill`: what was queued, by query id (src/jobs/enqueue.ts `requestBackfill`). */
export interface BackfillQueuedJson {
  campaign: string;
  /** walks back queued (or already waiting or running: never twice) */
  backfills: number[];
  /** queries not polled yet: their first poll was queued, it sets where the walk starts */
  polls: number[];
  /** queries whose walk back already reached the 7-day horizon */
  complete: number[];
}

export interface CollectionStateJson {
  campaign: string;
  paused: boolean;
  /** the job queued: `tick` polls every active query of the campaign now */
  queued: 'tick' | null;
}

/*
 * The ranking API (src/rank), `GET /api/v1/campaigns/:slug/…`. Metric definitions: docs/METRICS.md.
 */

/** A leaderboard row with its movement: the ranks it had an hour ago and at the start of the day. */
export interface RankedRowJson extends LeaderboardRowJson {
  /**
   * scope watchlist: the entity (organisation or person) the row sums, and its accounts' networks
   * on the board (username and name are then the entity's name), and the handle of its account when
   * it has one only on the board; null on an account's row
   */
  entity: { name: string; networks: string[]; handle: string | null } | null;
  /** rank on [from, min(to, asOf) − 1 hour); null when not ranked then */
  rankHourAgo: number | null;
  /** rank on [from, start of the day of min(to, asOf)); null when not ranked then */
  rankDayStart: number | null;
}

/** `…/leaderboard?metric=&scope=&network=&from=&to=&limit=` */
export interface RankedLeaderboardJson extends Omit<LeaderboardJson, 'rows' | 'home'> {
  rows: RankedRowJson[];
  home: RankedRowJson | null;
  /** end of the campaign's last successful collection run (null: none yet) */
  lastCollectedAt: string | null;
  /** ends of the windows `rankHourAgo` and `rankDayStart` are ranks on (null: an empty window) */
  movement: { hourAgo: string | null; dayStart: string | null };
}

/** `…/accounts/:username/series?metric=followers|posts|engagement&interval=hour|day&from=&to=` */
export interface AccountSeriesJson extends Omit<SeriesJson, 'metric'> {
  metric: 'followers' | 'posts' | 'engagement';
}

/** `…/rank-history?metric=&scope=&interval=hour|day&from=&to=`: the home account's rank per bucket. */
export interface HomeRankHistoryJson {
  campaign: string;
  username: string;
  metric: string;
  scope: string;
  interval: 'hour' | 'day';
  from: string;
  to: string;
  asOf: string;
  /** one per bucket up to min(to, asOf): the rank on [from, end of the bucket) */
  points: { at: string; rank: number | null; value: number | null }[];
}

/** A post of `…/overview`'s top posts; `text` is user-controlled (render as text, never HTML). */
/** A post as the top-posts lists show it (the row is read in src/db/account-repository.ts). */
export type TopPostJson = TopPost;

/** `…/overview?from=&to=&top=` */
export interface CampaignOverviewJson {
  campaign: string;
  from: string;
  to: string;
  asOf: string;
  /** posts, replies and quotes each query matched per hour (hours without any are absent) */
  postsPerHour: {
    queryId: number;
    query: string;
    active: boolean;
    points: { at: string; value: number }[];
  }[];
  /** accounts that authored a campaign post (any kind) in the window */
  uniqueAuthors: number;
  posts: number;
  engagement: number;
  /** the home account's share of voice: its part of the campaign's posts and engagement (0–1) */
  home: { posts: number; engagement: number; shareOfPosts: number | null; shareOfEngagement: number | null };
  topPosts: TopPostJson[];
  /** "@OpenData_Forum: 512 followers (+318 during the event), n°3 of 4,211 accounts by posts" */
  headline: {
    username: string;
    followers: number | null;
    followerGrowth: number | null;
    metric: 'posts';
    rank: number | null;
    total: number;
  };
}

export type HourCollectionJson = 'polled' | 'backfilled' | 'pending' | 'beyond_reach' | 'not_collected';

/** `…/coverage?from=&to=`: how complete the data of each campaign hour is. */
export interface CoverageJson {
  campaign: string;
  from: string;
  to: string;
  asOf: string;
  queries: {
    id: number;
    query: string;
    active: boolean;
    pollingSince: string | null;
    backfillFrom: string | null;
    backfillDone: boolean;
    oldestPostHour: string | null;
  }[];
  hours: {
    at: string;
    polls: number;
    pollRequests: number;
    backfills: number;
    rateLimited: number;
    failed: number;
    /** runs that sent nothing: the monthly budget or X's cap was reached */
    budgetPaused: number;
    /** the least complete state among the active queries */
    collection: HourCollectionJson;
    /** each active query's state, by query id */
    queries: Record<string, HourCollectionJson>;
  }[];
}
