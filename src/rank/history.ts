import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { bucketsBetween } from './calendar.ts';
import { inSnapshot } from './consistent-read.ts';
import { followerAccounts, followerValue } from './followers.ts';
import {
  type AccountMetric,
  type ActivityMetric,
  type Interval,
  isFollowerMetric,
  type Metric,
  type Scope,
} from './metrics.ts';
import { rankRows } from './ranking.ts';
import { accountNamed, accountValues, joinAccountNamed, type Span, watchlistIds } from './sources.ts';

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
  const isHome = (username: string) => username.toLowerCase() === campaign.home_username.toLowerCase();
  if (isFollowerMetric(metric)) {
    const accounts = await followerAccounts(db, campaign, scope, window, ends);
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

  const homeValues = await homeLine(db, campaign, metric, window, ends);
  const firstRanked = homeValues.findIndex((value) => value > 0);
  if (firstRanked < 0) return starts.map((at) => ({ at, rank: null, value: null }));
  const line = {
    ends: sql`${ends.map((end) => end.toISOString())}::timestamptz[]`,
    values: sql`${homeValues}::float8[]`,
  };
  const home = sql`${accountNamed(sql`lower(${campaign.home_username}::text)`)}`;
  const { rows } = await sql<{ j: number; accounts: number }>`
    with step as materialized (${
      metric === 'mentions'
        ? mentionSteps(campaign, scope, window)
        : accountSteps(campaign, metric, scope, window, line, homeValues[firstRanked] ?? 0)
    })
    select g.j, count(*)::int as accounts
    from step s
    cross join lateral generate_series(
      greatest(width_bucket(s.hour, ${line.ends}) + 1, ${firstRanked + 1}::int,
        coalesce(width_bucket(s.member_from, ${line.ends}) + 1, 1)),
      least(coalesce(width_bucket(s.next_hour, ${line.ends}), ${ends.length}::int),
        width_bucket(s.value::float8 - 1, ${line.values}))
    ) as g(j)
    where s.account_id is distinct from ${home}
    group by g.j
  `.execute(db);
  const above = new Map(rows.map((row) => [row.j, row.accounts]));
  return starts.map((at, index) => {
    const value = homeValues[index] ?? 0;
    return value > 0 ? { at, rank: 1 + (above.get(index + 1) ?? 0), value } : { at, rank: null, value: null };
  });
}

/** The home account's value on [from, end) for each bucket end, from its own posts (or mentions). */
async function homeLine(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  window: Span,
  ends: Date[],
): Promise<number[]> {
  const inWindow = sql`l.campaign_id = ${campaign.id} and l.created_at >= ${window.from.toISOString()}::timestamptz
    and l.created_at < ${window.to.toISOString()}::timestamptz`;
  const home = accountNamed(sql`lower(${campaign.home_username}::text)`);
  const { rows } = await (metric === 'mentions'
    ? sql<{ created_at: Date; value: number }>`
        select l.created_at, 1::float8 as value from rank_posts l
        where ${inWindow} and lower(${campaign.home_username}::text) = any(l.mentions)`
    : sql<{ created_at: Date; value: number }>`
        select l.created_at, ${ledgerValue(metric)}::float8 as value from rank_posts l
        where ${inWindow} and l.author_id = ${home}`
  ).execute(db);
  // A post counts at every bucket end after it.
  return ends.map((end) =>
    rows.reduce((total, row) => (new Date(row.created_at) < end ? total + Number(row.value) : total), 0),
  );
}

function ledgerValue(metric: AccountMetric): RawBuilder<unknown> {
  return metric === 'posts'
    ? sql`(not l.repost)::int`
    : metric === 'reposts'
      ? sql`l.repost::int`
      : sql.raw(`l.${metric}`);
}

const runningSteps = (hourly: RawBuilder<unknown>, memberFrom: RawBuilder<unknown>) => sql`
  select h.account_id, h.hour,
    sum(h.value) over (partition by h.account_id order by h.hour) as value,
    lead(h.hour) over (partition by h.account_id order by h.hour) as next_hour,
    ${memberFrom} as member_from
  from (${hourly}) h`;

/**
 * Steps of the accounts that can be above the home account: a total over the window above its
 * first value, and of their posts those before the bucket end from which the home account stays at
 * or above that total.
 */
function accountSteps(
  campaign: Campaign,
  metric: AccountMetric,
  scope: Scope,
  window: Span,
  line: { ends: RawBuilder<unknown>; values: RawBuilder<unknown> },
  firstValue: number,
): RawBuilder<unknown> {
  const watch = sql`select id from (${watchlistIds(campaign)}) w(id) where id is not null`;
  const hourly = sql`
    with rival as materialized (
      select account_id, least(${window.to.toISOString()}::timestamptz,
          (${line.ends})[width_bucket(value::float8 - 1, ${line.values})]) as until
      from (${accountValues(campaign, metric, window)}) s
      where value > ${firstValue} ${scope === 'watchlist' ? sql`and account_id in (${watch})` : sql``}
    )
    select r.account_id, l.hour, l.value
    from rival r
    -- One short range of the author index per account: most accounts fall behind the home account
    -- early, and only their first posts are read.
    cross join lateral (
      select date_trunc('hour', l.created_at, ${campaign.timezone}::text) as hour, sum(${ledgerValue(metric)}) as value
      from rank_posts l
      where l.campaign_id = ${campaign.id} and l.author_id = r.account_id
        and l.created_at >= ${window.from.toISOString()}::timestamptz and l.created_at < r.until
      group by 1
    ) l`;
  return runningSteps(hourly, sql`null::timestamptz`);
}

/**
 * Steps of mentioned accounts; in scope `all` an account counts from its first campaign post of the
 * window on (`member_from`), the watchlist always.
 */
function mentionSteps(campaign: Campaign, scope: Scope, window: Span): RawBuilder<unknown> {
  const inWindow = sql`l.campaign_id = ${campaign.id} and l.created_at >= ${window.from.toISOString()}::timestamptz
    and l.created_at < ${window.to.toISOString()}::timestamptz`;
  const watch = sql`select id from (${watchlistIds(campaign)}) w(id) where id is not null`;
  const named = sql`
    select named.id as account_id, h.hour, h.value from (
      select m.username, date_trunc('hour', l.created_at, ${campaign.timezone}::text) as hour, count(*) as value
      from rank_posts l cross join unnest(l.mentions) as m(username)
      where ${inWindow} group by 1, 2
    ) h
    ${joinAccountNamed(sql`h.username`, 'named')}`;
  if (scope === 'watchlist') {
    return runningSteps(
      sql`select * from (${named}) n where n.account_id in (${watch})`,
      sql`null::timestamptz`,
    );
  }
  return sql`
    select s.account_id, s.hour, s.value, s.next_hour,
      case when s.account_id in (${watch}) then null else f.first_at end as member_from
    from (${runningSteps(named, sql`null::timestamptz`)}) s
    left join (
      select l.author_id, min(l.created_at) as first_at from rank_posts l where ${inWindow} group by 1
    ) f on f.author_id = s.account_id
    where s.account_id in (${watch}) or f.first_at is not null`;
}
