import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import { homeHandlesOf } from '../db/overview-repository.ts';
import { accountsAboveHome, homeContributions } from '../db/rank-history-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { bucketsBetween } from './calendar.ts';
import { followerAccounts, followerValue } from './followers.ts';
import { type Interval, isFollowerMetric, type Metric, type NetworkChoice, type Scope } from './metrics.ts';
import { rankRows } from './ranking.ts';
import { planFor } from './windows.ts';

export interface RankHistoryPoint {
  /** start of the hour (or day) in the campaign's timezone */
  at: Date;
  /** the home account's rank on [from, end of the bucket); null when not ranked then */
  rank: number | null;
  /** its value on that window (null: none) */
  value: number | null;
}

export interface RankHistoryOptions {
  metric: Metric;
  scope: Scope;
  interval: Interval;
  from: Date;
  to: Date;
  /** buckets stop at min(to, asOf): the future has no rank yet */
  asOf: Date;
  /**
   * the board of one network, the home's account there; `all` (default): every network's accounts,
   * the home's account named by the campaign's home handle
   */
  network?: NetworkChoice;
}

/**
 * The home account's rank at the end of each hour (or day) of the window: the rank it had on the
 * leaderboard of [from, end of that bucket), as a line across the campaign. Same definitions as the
 * leaderboard; the last bucket ends at min(to, asOf).
 *
 * Activity metrics: the home account's value at each bucket end comes from its own posts; the
 * other accounts' running totals per hour are steps, and a step counts at the bucket ends it spans
 * where the home account's value is below it — one range of bucket ends (both only grow), found by
 * binary search (`width_bucket`). Only accounts whose total over the window exceeds the home
 * account's first value are read, and of each only the posts from before the home account passes
 * its total for good.
 */
export async function rankHistory(
  db: Db,
  campaign: Campaign,
  options: RankHistoryOptions,
): Promise<RankHistoryPoint[]> {
  return inSnapshot(db, (trx) => historyOf(trx, campaign, options));
}

async function historyOf(
  db: Db,
  campaign: Campaign,
  options: RankHistoryOptions,
): Promise<RankHistoryPoint[]> {
  const last = new Date(Math.min(options.to.getTime(), options.asOf.getTime()));
  const starts = bucketsBetween(options.from, last, campaign.timezone, options.interval).filter(
    (at) => at < last,
  );
  if (starts.length === 0) return [];
  const ends = starts.map((_start, i) => {
    const next = starts[i + 1];
    return next && next < last ? next : last;
  });
  const window = { from: options.from, to: last };
  const { metric, scope } = options;
  const network = options.network ?? 'all';
  const homeHandle =
    network === 'all' ? campaign.home_username : (await homeHandlesOf(db, campaign)).get(network);
  if (!homeHandle) return starts.map((at) => ({ at, rank: null, value: null }));
  const isHome = (username: string) => username.toLowerCase() === homeHandle.toLowerCase();
  if (isFollowerMetric(metric)) {
    const accounts = await followerAccounts(db, campaign, scope, network, window, ends);
    return starts.map((at, index) => {
      const end = ends[index] as Date;
      const scored = accounts.flatMap((account) => {
        const value = followerValue(account, metric, scope, end, index);
        return value === null ? [] : [{ accountId: account.accountId, username: account.username, value }];
      });
      const home = rankRows(scored).find((row) => isHome(row.username));
      return { at, rank: home?.rank ?? null, value: home?.value ?? null };
    });
  }

  const contributions = await homeContributions(db, campaign, homeHandle, metric, window);
  // A contribution counts at every bucket end after it.
  const homeValues = ends.map((end) =>
    contributions.reduce((total, row) => (row.createdAt < end ? total + row.value : total), 0),
  );
  const firstRanked = homeValues.findIndex((value) => value > 0);
  if (firstRanked < 0) return starts.map((at) => ({ at, rank: null, value: null }));
  const above = await accountsAboveHome(
    db,
    campaign,
    { handle: homeHandle, network },
    metric,
    scope === 'watchlist',
    window,
    planFor(campaign, window),
    { ends, values: homeValues, firstRanked },
  );
  return starts.map((at, index) => {
    const value = homeValues[index] ?? 0;
    return value > 0 ? { at, rank: 1 + (above.get(index + 1) ?? 0), value } : { at, rank: null, value: null };
  });
}
