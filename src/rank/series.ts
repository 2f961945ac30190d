import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import type { Interval, SeriesMetric } from './metrics.ts';

export type { Interval } from './metrics.ts';

export interface SeriesPoint {
  /** start of the hour or day, in the campaign's timezone */
  at: Date;
  value: number;
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
  username: string,
  options: SeriesOptions,
): Promise<SeriesPoint[]> {
  const account = sql`(select a.id from accounts a where lower(a.username) = ${username.toLowerCase()}
    order by a.last_seen_at desc, a.id limit 1)`;
  const from = sql`${options.from.toISOString()}::timestamptz`;
  const to = sql`${options.to.toISOString()}::timestamptz`;
  const interval = sql.lit(options.interval);
  const query =
    options.metric === 'followers'
      ? sql<{ at: Date; value: number }>`
          select date_trunc(${interval}, s.observed_at, ${campaign.timezone}::text) as at,
            (array_agg(s.followers_count order by s.observed_at desc))[1]::float8 as value
          from account_snapshots s
          where s.account_id = ${account} and s.observed_at >= ${from} and s.observed_at < ${to}
          group by 1 order by 1`
      : sql<{ at: Date; value: number }>`
          select date_trunc(${interval}, l.created_at, ${campaign.timezone}::text) as at,
            ${options.metric === 'posts' ? sql`count(*)` : sql`sum(l.engagement)`}::float8 as value
          from rank_posts l
          where l.campaign_id = ${campaign.id} and l.author_id = ${account} and not l.repost
            and l.created_at >= ${from} and l.created_at < ${to}
          group by 1 order by 1`;
  const { rows } = await query.execute(db);
  return rows.map((row) => ({ at: new Date(row.at), value: Number(row.value) }));
}
