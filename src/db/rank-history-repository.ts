import { type RawBuilder, sql } from 'kysely';
import type { Db } from './database.ts';
import {
  accountOfHandle,
  accountValues,
  joinAccountOfMention,
  ledgerValue,
  mentionKeyOfHandle,
  type NetworkChoice,
  onNetwork,
  type Span,
  type TotalsColumn,
  type WindowPlan,
  watchlistIds,
} from './rank-values.ts';
import type { Campaign } from './schema.ts';

/**
 * The reads of the home account's rank history (src/rank/history.ts says what the line means and
 * why it is read so): the home account's own contributions, and for each bucket end how many
 * accounts are above it.
 */

type ActivityColumn = TotalsColumn | 'mentions';

/** The home account's (known by its handle) contributions to the metric in the window, one row per ledger row. */
export async function homeContributions(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  homeHandle: string,
  metric: ActivityColumn,
  window: Span,
): Promise<Array<{ createdAt: Date; value: number }>> {
  const inWindow = sql`l.campaign_id = ${campaign.id} and l.created_at >= ${window.from.toISOString()}::timestamptz
    and l.created_at < ${window.to.toISOString()}::timestamptz`;
  const home = accountOfHandle(sql`${homeHandle}::text`);
  const { rows } = await (metric === 'mentions'
    ? sql<{ created_at: Date; value: number }>`
        select l.created_at, 1::float8 as value from rank_posts l
        where ${inWindow} and ${mentionKeyOfHandle(sql`${homeHandle}::text`)} = any(l.mentions)`
    : sql<{ created_at: Date; value: number }>`
        select l.created_at, ${ledgerValue(metric)}::float8 as value from rank_posts l
        where ${inWindow} and l.author_id = ${home}`
  ).execute(db);
  return rows.map((row) => ({ createdAt: new Date(row.created_at), value: Number(row.value) }));
}

/** The home account's line: its value at each bucket end (from the first bucket it is ranked on). */
export interface HomeLine {
  ends: Date[];
  values: number[];
  /** index of the first bucket end where the home account has a value above 0 */
  firstRanked: number;
}

/**
 * For each bucket end j (1-based) from the first the home account is ranked on, how many other
 * accounts of the scope have a value above the home account's. Each account's running totals per
 * hour are steps; a step counts at the bucket ends it spans where the home account's value is
 * below it — one range of bucket ends (both only grow), found by binary search (`width_bucket`).
 */
export async function accountsAboveHome(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  home: { handle: string; network: NetworkChoice },
  metric: ActivityColumn,
  watchlistOnly: boolean,
  window: Span,
  plan: WindowPlan,
  homeLine: HomeLine,
): Promise<Map<number, number>> {
  const network = home.network;
  const line = {
    ends: sql`${homeLine.ends.map((end) => end.toISOString())}::timestamptz[]`,
    values: sql`${homeLine.values}::float8[]`,
  };
  const homeId = sql`${accountOfHandle(sql`${home.handle}::text`)}`;
  const { rows } = await sql<{ j: number; accounts: number }>`
    with step as materialized (${
      metric === 'mentions'
        ? mentionSteps(campaign, network, watchlistOnly, window)
        : accountSteps(
            campaign,
            network,
            metric,
            watchlistOnly,
            window,
            plan,
            line,
            homeLine.values[homeLine.firstRanked] ?? 0,
          )
    })
    select g.j, count(*)::int as accounts
    from step s
    cross join lateral generate_series(
      greatest(width_bucket(s.hour, ${line.ends}) + 1, ${homeLine.firstRanked + 1}::int,
        coalesce(width_bucket(s.member_from, ${line.ends}) + 1, 1)),
      least(coalesce(width_bucket(s.next_hour, ${line.ends}), ${homeLine.ends.length}::int),
        width_bucket(s.value::float8 - 1, ${line.values}))
    ) as g(j)
    where s.account_id is distinct from ${homeId}
    group by g.j
  `.execute(db);
  return new Map(rows.map((row) => [row.j, row.accounts]));
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
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  network: NetworkChoice,
  metric: TotalsColumn,
  watchlistOnly: boolean,
  window: Span,
  plan: WindowPlan,
  line: { ends: RawBuilder<unknown>; values: RawBuilder<unknown> },
  firstValue: number,
): RawBuilder<unknown> {
  const watch = sql`select id from (${watchlistIds(campaign)}) w(id) where id is not null`;
  const hourly = sql`
    with rival as materialized (
      select account_id, least(${window.to.toISOString()}::timestamptz,
          (${line.ends})[width_bucket(value::float8 - 1, ${line.values})]) as until
      from (${accountValues(campaign, metric, plan)}) s join accounts a on a.id = s.account_id
      where value > ${firstValue} and ${onNetwork('a', network)}
        ${watchlistOnly ? sql`and account_id in (${watch})` : sql``}
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
function mentionSteps(
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  network: NetworkChoice,
  watchlistOnly: boolean,
  window: Span,
): RawBuilder<unknown> {
  const inWindow = sql`l.campaign_id = ${campaign.id} and l.created_at >= ${window.from.toISOString()}::timestamptz
    and l.created_at < ${window.to.toISOString()}::timestamptz`;
  const watch = sql`select id from (${watchlistIds(campaign)}) w(id) where id is not null`;
  const named = sql`
    select named.id as account_id, h.hour, h.value from (
      select m.username, date_trunc('hour', l.created_at, ${campaign.timezone}::text) as hour, count(*) as value
      from rank_posts l cross join unnest(l.mentions) as m(username)
      where ${inWindow} group by 1, 2
    ) h
    ${joinAccountOfMention(sql`h.username`, 'named')}
    where ${network === 'all' ? sql`true` : sql`(select n.network from accounts n where n.id = named.id) = ${network}`}`;
  if (watchlistOnly) {
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
