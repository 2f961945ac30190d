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
