import { sql } from 'kysely';
import type { Db } from './database.ts';
import {
  authoredIn,
  joinAccountById,
  type NetworkChoice,
  onNetwork,
  type Span,
  watchlistIds,
} from './rank-values.ts';
import type { Campaign, Network } from './schema.ts';

/**
 * Follower readings (`account_snapshots` rows: an account's counts at an instant). No rollup: the
 * collector reads the watchlist a few times an hour, and the primary key (account_id, observed_at)
 * answers "the latest reading at or before t" with one index probe per account.
 */

export interface FollowerReadingsRow {
  account_id: string;
  network: Network;
  mention_key: string;
  username: string;
  name: string;
  profile_image_url: string | null;
  on_watchlist: boolean;
  /** first campaign post (any kind) the account authored in the window, if any */
  first_authored_at: Date | null;
  /** the latest reading at or before the window's start */
  from_value: number | null;
  from_at: Date | null;
  /** the earliest reading after the window's start */
  after_value: number | null;
  after_at: Date | null;
  /** the latest reading at or before each of the `ends` */
  end_values: Array<number | null>;
}

/**
 * The readings of every account that can take part in a follower board of the window: the
 * watchlist, and (unless `watchlistOnly`) the accounts with readings that authored a campaign post
 * in it, on the networks asked for. `ends` are the instants to read followers at.
 */
export async function followerReadings(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  watchlistOnly: boolean,
  network: NetworkChoice,
  window: Span,
  ends: Date[],
): Promise<FollowerReadingsRow[]> {
  const watch = watchlistIds(campaign);
  const latestEnd = new Date(Math.max(window.to.getTime(), ...ends.map((end) => end.getTime())));
  // Each candidate once, flagged when it is on the watchlist (one pass over the watchlist).
  const watched = sql`select id, true as on_watchlist from (${watch}) w(id) where id is not null`;
  const candidates = watchlistOnly
    ? watched
    : sql`${watched}
        union all
        select s.account_id, false from (
          select distinct account_id from account_snapshots where observed_at <= ${latestEnd.toISOString()}::timestamptz
        ) s
        where ${authoredIn(campaign, sql`s.account_id`, window)}`;
  // One scalar subquery per end: the ends are few (the window's and the movement's).
  const atEnds = ends.map(
    (end) => sql`(select s.followers_count from account_snapshots s
      where s.account_id = a.id and s.observed_at <= ${end.toISOString()}::timestamptz
      order by s.observed_at desc limit 1)`,
  );
  const { rows } = await sql<FollowerReadingsRow>`
    with candidate as (
      select id, bool_or(on_watchlist) as on_watchlist from (${candidates}) c(id, on_watchlist) group by id
    )
    select a.id as account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
      c.on_watchlist,
      (select min(l.created_at) from rank_posts l
        where l.campaign_id = ${campaign.id} and l.author_id = a.id
          and l.created_at >= ${window.from.toISOString()}::timestamptz
          and l.created_at < ${window.to.toISOString()}::timestamptz) as first_authored_at,
      f.followers_count as from_value, f.observed_at as from_at,
      n.followers_count as after_value, n.observed_at as after_at,
      array[${sql.join(atEnds)}]::integer[] as end_values
    from candidate c
    ${joinAccountById(sql`c.id`, 'a')}
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
    where ${onNetwork('a', network)}
  `.execute(db);
  return rows;
}

/** The account's latest follower reading at or before `at`. */
export async function latestReading(db: Db, accountId: string, at: Date) {
  return db
    .selectFrom('account_snapshots')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('observed_at', '<=', at)
    .orderBy('observed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The latest follower count at or before `at` of any account known under the username (case
 * insensitive), as the alerts read the home account's.
 */
export async function latestFollowersOfUsername(db: Db, username: string, at: Date): Promise<number | null> {
  const row = await db
    .selectFrom('account_snapshots as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select('s.followers_count')
    .where(sql<string>`lower(a.username)`, '=', username.toLowerCase())
    .where('s.observed_at', '<=', at)
    .orderBy('s.observed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? row.followers_count : null;
}
