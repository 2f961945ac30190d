import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';

export type Interval = 'hour' | 'day';

export interface SeriesPoint {
  /** start of the hour or day, in the campaign's timezone */
  at: Date;
  value: number;
}

/**
 * Followers of an account per hour or day: the last snapshot taken in each bucket. Buckets with
 * no snapshot are absent (a gap, not a zero). Hours and days are those of the campaign's timezone.
 */
export async function followerSeries(
  db: Db,
  campaign: Campaign,
  username: string,
  options: { interval: Interval; from?: Date; to?: Date },
): Promise<SeriesPoint[]> {
  const bucket = sql<Date>`date_trunc(${options.interval}, s.observed_at, ${campaign.timezone})`;
  const rows = await db
    .selectFrom('account_snapshots as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .where(sql<string>`lower(a.username)`, '=', username.toLowerCase())
    .$if(options.from !== undefined, (qb) => qb.where('s.observed_at', '>=', options.from as Date))
    .$if(options.to !== undefined, (qb) => qb.where('s.observed_at', '<', options.to as Date))
    .select([
      bucket.as('at'),
      sql<number>`(array_agg(s.followers_count order by s.observed_at desc))[1]`.as('value'),
    ])
    // By position: the bucket expression carries parameters, and Postgres does not see two
    // copies with different placeholders as the same expression.
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((row) => ({ at: new Date(row.at), value: Number(row.value) }));
}
