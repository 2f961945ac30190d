import { sql } from 'kysely';
import type { Network } from '../networks/types.ts';
import type { Db } from './database.ts';
import type { Campaign } from './schema.ts';

/** An account's series per hour or day (src/rank/series.ts says what each point means). */

export interface SeriesRead {
  metric: 'followers' | 'posts' | 'engagement';
  interval: 'hour' | 'day';
  from: Date;
  to: Date;
}

/**
 * Points of the account last seen under the handle on the network, buckets of the campaign's
 * timezone, in order.
 */
export async function accountSeriesPoints(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  account: { network: Network; handle: string },
  read: SeriesRead,
): Promise<Array<{ at: Date; value: number; source?: 'collected' | 'imported' }>> {
  const accountId = sql`(select a.id from accounts a where a.network = ${account.network}
    and lower(a.username) = ${account.handle.toLowerCase()}
    order by a.last_seen_at desc, a.id limit 1)`;
  const from = sql`${read.from.toISOString()}::timestamptz`;
  const to = sql`${read.to.toISOString()}::timestamptz`;
  const interval = sql.lit(read.interval);
  const query =
    read.metric === 'followers'
      ? sql<{ at: Date; value: number; source?: string }>`
          select date_trunc(${interval}, s.observed_at, ${campaign.timezone}::text) as at,
            (array_agg(s.followers_count order by s.observed_at desc))[1]::float8 as value,
            (array_agg(s.source order by s.observed_at desc))[1] as source
          from account_snapshots s
          where s.account_id = ${accountId} and s.observed_at >= ${from} and s.observed_at < ${to}
          group by 1 order by 1`
      : sql<{ at: Date; value: number; source?: string }>`
          select date_trunc(${interval}, l.created_at, ${campaign.timezone}::text) as at,
            ${read.metric === 'posts' ? sql`count(*)` : sql`sum(l.engagement)`}::float8 as value
          from rank_posts l
          where l.campaign_id = ${campaign.id} and l.author_id = ${accountId} and not l.repost
            and l.created_at >= ${from} and l.created_at < ${to}
          group by 1 order by 1`;
  const { rows } = await query.execute(db);
  return rows.map((row) => ({
    at: new Date(row.at),
    value: Number(row.value),
    // Followers: whether the reading drawn was collected or imported from a file.
    ...(row.source
      ? { source: row.source === 'collected' ? ('collected' as const) : ('imported' as const) }
      : {}),
  }));
}
