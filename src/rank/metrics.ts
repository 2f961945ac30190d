/** The leaderboard's metrics (docs/METRICS.md). */
export const metrics = [
  'posts',
  'reposts',
  'engagement',
  'impressions',
  'mentions',
  'followers',
  'follower_growth',
  'follower_growth_pct',
] as const;
export type Metric = (typeof metrics)[number];

/** Metrics summed over the campaign posts created in the window, kept in the rollups per account. */
export const accountMetrics = ['posts', 'reposts', 'engagement', 'impressions'] as const;
export type AccountMetric = (typeof accountMetrics)[number];

/** Metrics read from follower snapshots at the window's ends. */
export const followerMetrics = ['followers', 'follower_growth', 'follower_growth_pct'] as const;
export type FollowerMetric = (typeof followerMetrics)[number];

/** Metrics whose values only add up over time: posts, reposts, engagement, impressions, mentions. */
export type ActivityMetric = AccountMetric | 'mentions';

export const scopes = ['all', 'watchlist'] as const;
export type Scope = (typeof scopes)[number];

/** The networks a board covers (`all`: every network the campaign follows, ranked together). */
export const networkChoices = ['all', 'x', 'bluesky', 'mastodon'] as const;
export type NetworkChoice = (typeof networkChoices)[number];

export const seriesMetrics = ['followers', 'posts', 'engagement'] as const;
export type SeriesMetric = (typeof seriesMetrics)[number];

export const intervals = ['hour', 'day'] as const;
export type Interval = (typeof intervals)[number];

export function isFollowerMetric(metric: Metric): metric is FollowerMetric {
  return (followerMetrics as readonly string[]).includes(metric);
}
