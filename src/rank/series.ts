import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { accountSeriesPoints } from '../db/series-repository.ts';
import type { Network } from '../networks/types.ts';
import type { Interval, SeriesMetric } from './metrics.ts';

export type { Interval } from './metrics.ts';

export interface SeriesPoint {
  /** start of the hour or day, in the campaign's timezone */
  at: Date;
  value: number;
  /** followers: whether the reading drawn was collected or imported from a file */
  source?: 'collected' | 'imported';
}

export interface SeriesOptions {
  metric: SeriesMetric;
  interval: Interval;
  from: Date;
  to: Date;
}

/**
 * An account's series per hour or day of the campaign's timezone (DST days have 23 or 25 hours;
 * the repeated hour is two points), over [from, to):
 * - followers: the last reading taken in each bucket; buckets without a reading are absent;
 * - posts: its campaign posts, replies and quotes created in the bucket;
 * - engagement: the engagement (latest readings) of those posts.
 * Buckets without posts are absent too, like buckets without a reading: a gap, never a made-up 0.
 * Summed over the buckets, posts and engagement give the leaderboard's value for the window.
 */
export async function accountSeries(
  db: Db,
  campaign: Campaign,
  account: { network: Network; handle: string },
  options: SeriesOptions,
): Promise<SeriesPoint[]> {
  return accountSeriesPoints(db, campaign, account, options);
}
