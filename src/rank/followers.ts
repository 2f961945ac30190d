import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import type { FollowerMetric, Scope } from './metrics.ts';
import { authoredIn, type Span, watchlistIds } from './sources.ts';

/**
 * Follower metrics, read from `account_snapshots` (no rollup: the collector snapshots the watchlist,
 * a few rows per account and hour, and the primary key (account_id, observed_at) answers "the latest
 * reading at or before t" with one index probe per account).
 *
 * - followers at t: the latest reading at or before t;
 * - the starting point of a growth over [from, end]: the latest reading at or before `from`, else
 *   the earliest reading after `from` and at or before `end`;
 * - growth: followers at `end` minus the starting point; in %: relative to the starting point,
 *   nothing (not ranked) when the starting point is 0 or missing.
 */

interface Reading {
  value: number;
  at: Date;
}

export interface FollowerAccount {
  accountId: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  onWatchlist: boolean;
  /** first campaign post (any kind) the account authored in the window, if any */
  firstAuthoredAt: Date | null;
  atFrom: Reading | null;
  firstAfterFrom: Reading | null;
  /** latest reading at or before each of the `ends` */
  atEnds: Array<number | null>;
}

interface ReadingRow {
  account_id: string;
  username: string;
  name: string;
  profile_image_url: string | null;
  on_watchlist: boolean;
  first_authored_at: Date | null;
  from_value: number | null;
  from_at: Date | null;
  after_value: number | null;
  after_at: Date | null;
  end_values: Array<number | null>;
}

/**
 * The readings of every account that can take part in a follower board of the window: the
 * watchlist, and (scope `all`) the accounts with readings that authored a campaign post in it.
 * `ends` are the instants to read followers at (the window's end and the movement references).
 */
export async function followerAccounts(
  db: Db,
  campaign: Campaign,
  scope: Scope,
  window: Span,
  ends: Date[],
): Promise<FollowerAccount[]> {
  const watch = watchlistIds(campaign);
  const latestEnd = new Date(Math.max(window.to.getTime(), ...ends.map((end) => end.getTime())));
  const candidates =
    scope === 'watchlist'
      ? sql`select id from (${watch}) w(id) where id is not null`
      : sql`select id from (${watch}) w(id) where id is not null
          union
          select s.account_id from (
            select distinct account_id from account_snapshots where observed_at <= ${latestEnd.toISOString()}::timestamptz
          ) s
          where ${authoredIn(campaign, sql`s.account_id`, window)}`;
  const endList = ends.map((end) => sql`${end.toISOString()}::timestamptz`);
  const { rows } = await sql<ReadingRow>`
    with candidate as (${candidates})
    select a.id as account_id, a.username, a.name, a.profile_image_url,
      a.id in (select id from (${watch}) w(id) where id is not null) as on_watchlist,
      (select min(l.created_at) from rank_posts l
        where l.campaign_id = ${campaign.id} and l.author_id = a.id
          and l.created_at >= ${window.from.toISOString()}::timestamptz
          and l.created_at < ${window.to.toISOString()}::timestamptz) as first_authored_at,
      f.followers_count as from_value, f.observed_at as from_at,
      n.followers_count as after_value, n.observed_at as after_at,
      array(
        select (select s.followers_count from account_snapshots s
                where s.account_id = a.id and s.observed_at <= e.at order by s.observed_at desc limit 1)
        from unnest(array[${sql.join(endList)}]::timestamptz[]) with ordinality as e(at, i)
        order by e.i
      ) as end_values
    from candidate c
    join accounts a on a.id = c.id
    left join lateral (
      select s.followers_count, s.observed_at from account_snapshots s
      where s.account_id = a.id and s.observed_at <= ${window.from.toISOString()}::timestamptz
      order by s.observed_at desc limit 1
    ) f on true
    left join lateral (
      select s.followers_count, s.observed_at from account_snapshots s
      where s.account_id = a.id and s.observed_at > ${window.from.toISOString()}::timestamptz
      order by s.observed_at limit 1
    ) n on true
  `.execute(db);
  return rows.map((row) => ({
    accountId: row.account_id,
    username: row.username,
    name: row.name,
    profileImageUrl: row.profile_image_url,
    onWatchlist: row.on_watchlist,
    firstAuthoredAt: row.first_authored_at,
    atFrom: row.from_value === null || !row.from_at ? null : { value: row.from_value, at: row.from_at },
    firstAfterFrom:
      row.after_value === null || !row.after_at ? null : { value: row.after_value, at: row.after_at },
    atEnds: row.end_values,
  }));
}

/**
 * The account's value of a follower metric for the window ending at `ends[index]`, or null when it
 * has none (no reading, no starting point, a starting point of 0 for the %, or not in the scope).
 */
export function followerValue(
  account: FollowerAccount,
  metric: FollowerMetric,
  scope: Scope,
  end: Date,
  index: number,
): number | null {
  const inScope =
    scope === 'watchlist' ||
    account.onWatchlist ||
    (account.firstAuthoredAt !== null && account.firstAuthoredAt < end);
  const atEnd = account.atEnds[index] ?? null;
  if (!inScope || atEnd === null) return null;
  if (metric === 'followers') return atEnd;
  const start =
    account.atFrom ??
    (account.firstAfterFrom && account.firstAfterFrom.at <= end ? account.firstAfterFrom : null);
  if (!start) return null;
  const growth = atEnd - start.value;
  if (metric === 'follower_growth') return growth;
  // The same operations as the ground truth's, so equal ratios are equal floats.
  return start.value > 0 ? (growth / start.value) * 100 : null;
}
