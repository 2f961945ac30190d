import { type RawBuilder, sql } from 'kysely';
import type { Campaign, Network } from './schema.ts';

/** The networks a read covers: one, or all of them. */
export type NetworkChoice = Network | 'all';

/**
 * SQL fragments that give each account's value of an activity metric over a window, from the
 * rollups of migrations/0002_rank_rollups.ts (see src/rank/rollups.ts for why they are shaped so):
 *
 * - the campaign window itself: `rank_totals` (or `rank_mentions`), one row per account;
 * - any other span [a, b): whole days of the campaign's timezone from `rank_daily`, and the parts of
 *   days at either end from the ledger `rank_posts` — exact to the microsecond, at the cost of the
 *   posts in those parts (mentions of a few usernames: whole hours of those parts from
 *   `rank_mentions_hourly`, the ledger only for the parts of hours);
 * - a window inside the campaign window that leaves little of it out: the totals minus the spans
 *   left out, cheaper than adding up the window.
 *
 * Which of the three a window takes is the ranking's choice (src/rank/windows.ts); these fragments
 * only write it in SQL. Every fragment selects `account_id` and `value` (mentions `username` and
 * `value`); values are exact integers in SQL, turned into float8 only where they leave for
 * JavaScript. The repositories of src/db/ compose them; nothing else does.
 */

export interface Span {
  from: Date;
  to: Date;
}

/**
 * A span of a window's plan. `oneDay`: the span is exactly one local day, whose values are that
 * day's rows of the daily rollups as they are, one per account or key: adding them up again cost a
 * sort of every one of them (193,560 accounts for the day a two-day board leaves out of the
 * 5,000,000-post bench, tests/bench/rank.ts: half of that board's time). See `keptDayOr` for when
 * PostgreSQL's calendar disagrees.
 */
export interface PlanSpan extends Span {
  oneDay?: boolean;
}

/** The activity metrics kept per account in `rank_totals` and `rank_daily`, one column each. */
export type TotalsColumn = 'posts' | 'reposts' | 'engagement' | 'impressions';

/**
 * What the spans of this file add up per account: a metric, or `authored`, the posts and reposts
 * together (above 0: the account authored a campaign post in the span).
 */
type AccountColumn = TotalsColumn | 'authored';

/** How a window's values are read (src/rank/windows.ts decides which). */
export type WindowPlan =
  | { strategy: 'totals' }
  | { strategy: 'difference'; leftOut: PlanSpan[] }
  /** `window.oneDay`: a "today" board, one row per account of that day's rollups. */
  | { strategy: 'sum'; window: PlanSpan };

type CampaignCalendar = Pick<Campaign, 'id' | 'timezone'>;

const totalsColumn: Record<TotalsColumn, RawBuilder<unknown>> = {
  posts: sql.raw('posts'),
  reposts: sql.raw('reposts'),
  engagement: sql.raw('engagement'),
  impressions: sql.raw('impressions'),
};

/** The same values, read from one ledger row aliased `l`. */
const ledgerValues: Record<AccountColumn, RawBuilder<unknown>> = {
  posts: sql.raw('(not l.repost)::int'),
  reposts: sql.raw('l.repost::int'),
  engagement: sql.raw('l.engagement'),
  impressions: sql.raw('l.impressions'),
  authored: sql.raw('1'),
};

/** The value of `column` in a row of `rank_totals` or `rank_daily` aliased `alias`. */
function rollupValue(alias: 't' | 'd', column: AccountColumn): RawBuilder<unknown> {
  const of = (metric: TotalsColumn) => sql`${sql.raw(alias)}.${totalsColumn[metric]}`;
  return column === 'authored' ? sql`(${of('posts')} + ${of('reposts')})` : of(column);
}

export function totalsColumnOf(metric: TotalsColumn): RawBuilder<unknown> {
  return totalsColumn[metric];
}

/** A metric's contribution of the ledger row aliased `l`. */
export function ledgerValue(metric: TotalsColumn): RawBuilder<unknown> {
  return ledgerValues[metric];
}

export const at = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/** First day start at or after `instant`, in the campaign's timezone (as the rollups key days). */
function dayCeil(instant: Date, timezone: string): RawBuilder<Date> {
  const floor = dayFloor(instant, timezone);
  return sql<Date>`(case when ${floor} = ${at(instant)} then ${floor} else ${nextDay(floor, timezone)} end)`;
}

/** The start of the day after the one starting at `dayStart` (days of 23 to 25 hours). */
function nextDay(dayStart: RawBuilder<unknown>, timezone: string): RawBuilder<Date> {
  return sql<Date>`date_trunc('day', ${dayStart} + interval '36 hours', ${timezone})`;
}

function dayFloor(instant: Date, timezone: string): RawBuilder<Date> {
  return sql<Date>`date_trunc('day', ${at(instant)}, ${timezone})`;
}

/**
 * `kept` (the rows of the span's day in a daily rollup) when PostgreSQL's calendar also makes the span
 * that one local day, else `added` (the span added up). The day was chosen in JavaScript
 * (src/rank/calendar.ts, with ICU's zone data) while the rollups key days with PostgreSQL's
 * `date_trunc` (its own zone data): after a zone's rules change, the two disagree until both are
 * updated, and a day read under the wrong key would be empty. The check is a condition on no row:
 * the planner evaluates it once and runs one side only.
 */
function keptDayOr(
  campaign: CampaignCalendar,
  span: Span,
  kept: RawBuilder<unknown>,
  added: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const isDay = sql`(${dayFloor(span.from, campaign.timezone)} = ${at(span.from)}
    and ${nextDay(at(span.from), campaign.timezone)} = ${at(span.to)})`;
  return sql`select * from (${kept}) kept where ${isDay}
    union all
    select * from (${added}) added where not ${isDay}`;
}

interface SqlSpan {
  from: RawBuilder<unknown>;
  to: RawBuilder<unknown>;
}

/**
 * The parts of [a, b) that the whole days [d1, d2) do not cover: [a, min(d1, b)) and
 * [max(d2, d1), b).
 */
function dayEdges(campaign: CampaignCalendar, span: Span): SqlSpan[] {
  const d1 = dayCeil(span.from, campaign.timezone);
  const d2 = dayFloor(span.to, campaign.timezone);
  return [
    { from: at(span.from), to: sql`least(${d1}, ${at(span.to)})` },
    { from: sql`greatest(${d2}, ${d1})`, to: at(span.to) },
  ];
}

/** UTC hours, as `rank_mentions_hourly` keys them (timestamps are whole microseconds). */
const hourFloor = (instant: RawBuilder<unknown>) => sql`date_trunc('hour', ${instant}, 'UTC')`;
const hourCeil = (instant: RawBuilder<unknown>) =>
  sql`date_trunc('hour', ${instant} + interval '1 hour' - interval '1 microsecond', 'UTC')`;

/**
 * Ledger rows of [a, b) that the whole days [d1, d2) do not cover. Two ranges, so each is one scan
 * of the (campaign_id, created_at) index — or of the author index when `accounts` restricts the rows.
 */
function ledgerEdges(
  campaign: CampaignCalendar,
  span: Span,
  select: (edge: RawBuilder<unknown>) => RawBuilder<unknown>,
): RawBuilder<unknown> {
  const edges = dayEdges(campaign, span).map((edge) => ledgerRange(campaign, edge));
  return sql.join(edges.map(select), sql` union all `);
}

/**
 * `from < to` is a condition on no row: the planner checks it once, before the part runs. An empty
 * edge (a span starting or ending on a day start) then costs nothing, where it cost one index probe
 * per account or username given.
 */
function ledgerRange(campaign: CampaignCalendar, span: SqlSpan): RawBuilder<unknown> {
  return sql`${span.from} < ${span.to}
    and l.campaign_id = ${campaign.id} and l.created_at >= ${span.from} and l.created_at < ${span.to}`;
}

/**
 * (account_id, value) of an account metric summed over the span, for every account with
 * contributions in it, or only for the ids that `accounts` (a subquery) selects.
 */
export function accountSpan(
  campaign: CampaignCalendar,
  metric: AccountColumn,
  span: PlanSpan,
  accounts?: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const onlyDaily = accounts ? sql`and d.account_id in (${accounts})` : sql``;
  if (span.oneDay)
    return keptDayOr(
      campaign,
      span,
      sql`select d.account_id, ${rollupValue('d', metric)}::bigint as value from rank_daily d
        where d.campaign_id = ${campaign.id} and d.day = ${at(span.from)} ${onlyDaily}`,
      accountSpan(campaign, metric, { from: span.from, to: span.to }, accounts),
    );
  const d1 = dayCeil(span.from, campaign.timezone);
  const d2 = dayFloor(span.to, campaign.timezone);
  const onlyLedger = accounts ? sql`and l.author_id in (${accounts})` : sql``;
  return sql`
    select account_id, sum(value)::bigint as value from (
      select d.account_id, ${rollupValue('d', metric)} as value from rank_daily d
      where d.campaign_id = ${campaign.id} and d.day >= ${d1} and d.day < ${d2} ${onlyDaily}
      union all
      ${ledgerEdges(
        campaign,
        span,
        (edge) =>
          sql`select l.author_id, ${ledgerValues[metric]} from rank_posts l where ${edge} ${onlyLedger}`,
      )}
    ) parts
    group by account_id`;
}

/**
 * (username, value): mentions of lower-cased usernames over the span, optionally only `usernames`.
 * For a few usernames, the parts of days come from the hourly rollup, and from the ledger only the
 * parts of hours at their ends (the ledger has no index by mentioned username: a range of it is
 * read whole). For every username, the ledger's parts of days cost less than the hourly rows.
 */
export function mentionSpan(
  campaign: CampaignCalendar,
  span: PlanSpan,
  usernames?: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const onlyDaily = usernames ? sql`and d.username in (${usernames})` : sql``;
  if (span.oneDay)
    return keptDayOr(
      campaign,
      span,
      sql`select d.username, d.mentions::bigint as value from rank_mentions_daily d
        where d.campaign_id = ${campaign.id} and d.day = ${at(span.from)} ${onlyDaily}`,
      mentionSpan(campaign, { from: span.from, to: span.to }, usernames),
    );
  const d1 = dayCeil(span.from, campaign.timezone);
  const d2 = dayFloor(span.to, campaign.timezone);
  const onlyLedger = usernames ? sql`and m.username in (${usernames})` : sql``;
  const ledger = (range: RawBuilder<unknown>) => sql`
    select m.username, 1 from rank_posts l cross join unnest(l.mentions) as m(username)
    where ${range} ${onlyLedger}`;
  const edges = usernames
    ? dayEdges(campaign, span).flatMap((edge) => {
        const h1 = hourCeil(edge.from);
        const h2 = hourFloor(edge.to);
        return [
          sql`select h.username, h.mentions from rank_mentions_hourly h
            where ${h1} < ${h2} and h.campaign_id = ${campaign.id} and h.username in (${usernames})
              and h.hour >= ${h1} and h.hour < ${h2}`,
          ledger(ledgerRange(campaign, { from: edge.from, to: sql`least(${h1}, ${edge.to})` })),
          ledger(ledgerRange(campaign, { from: sql`greatest(${h2}, ${h1})`, to: edge.to })),
        ];
      })
    : dayEdges(campaign, span).map((edge) => ledger(ledgerRange(campaign, edge)));
  return sql`
    select username, sum(value)::bigint as value from (
      select d.username, d.mentions as value from rank_mentions_daily d
      where d.campaign_id = ${campaign.id} and d.day >= ${d1} and d.day < ${d2} ${onlyDaily}
      union all
      ${sql.join(edges, sql` union all `)}
    ) parts
    group by username`;
}

/** (account_id, value) of an account metric over a window, for every account of the campaign. */
export function accountValues(
  campaign: CampaignCalendar,
  metric: AccountColumn,
  plan: WindowPlan,
): RawBuilder<unknown> {
  const column = rollupValue('t', metric);
  switch (plan.strategy) {
    case 'totals':
      return sql`select t.account_id, ${column} as value from rank_totals t where t.campaign_id = ${campaign.id}`;
    case 'difference': {
      const out = plan.leftOut.map((span) => accountSpan(campaign, metric, span));
      return sql`
        select t.account_id, ${column} - coalesce(o.value, 0) as value
        from rank_totals t
        left join (${leftOut(out, sql`account_id`)}) o using (account_id)
        where t.campaign_id = ${campaign.id}`;
    }
    case 'sum':
      return accountSpan(campaign, metric, plan.window);
  }
}

/**
 * The values of the spans a `difference` plan leaves out, by `key`. One span is already one row per
 * key: adding it up again cost a sort of every key (38,642 accounts for a day left out of the
 * 1,000,000-post bench, tests/bench/rank.ts), a third of a two-day board's time.
 */
function leftOut(spans: RawBuilder<unknown>[], key: RawBuilder<unknown>): RawBuilder<unknown> {
  if (spans.length === 1 && spans[0]) return spans[0];
  return sql`select ${key}, sum(value)::bigint as value from (${sql.join(spans, sql` union all `)}) spans
    group by ${key}`;
}

/** (username, value) of mentions over a window, for every username mentioned in the campaign. */
export function mentionValues(campaign: CampaignCalendar, plan: WindowPlan): RawBuilder<unknown> {
  switch (plan.strategy) {
    case 'totals':
      return sql`select username, mentions as value from rank_mentions where campaign_id = ${campaign.id}`;
    case 'difference': {
      const out = plan.leftOut.map((span) => mentionSpan(campaign, span));
      return sql`
        select t.username, t.mentions - coalesce(o.value, 0) as value
        from rank_mentions t
        left join (${leftOut(out, sql`username`)}) o using (username)
        where t.campaign_id = ${campaign.id}`;
    }
    case 'sum':
      return mentionSpan(campaign, plan.window);
  }
}

/**
 * Whether the account (an SQL expression of its id) authored a campaign post (any kind) in
 * [from, to): one probe of the ledger's author index.
 */
export function authoredIn(campaign: Pick<Campaign, 'id'>, accountId: RawBuilder<unknown>, span: Span) {
  return sql<boolean>`exists (
    select 1 from rank_posts a
    where a.campaign_id = ${campaign.id} and a.author_id = ${accountId}
      and a.created_at >= ${at(span.from)} and a.created_at < ${at(span.to)})`;
}

/**
 * Joins `alias`: the account row of `id`, probed by its key once per row. For the few rows a board
 * shows or a follower board weighs, a plain join let the planner hash every account of the table:
 * it cannot tell how few the rows are.
 */
export function joinAccountById(id: RawBuilder<unknown>, alias: string): RawBuilder<unknown> {
  return sql`cross join lateral (select * from accounts a where a.id = ${id} limit 1) ${sql.raw(alias)}`;
}

/**
 * Joins `alias`.id: the account currently known under a mention key (accounts.mention_key: an X
 * username lower-cased, a Bluesky DID, a Mastodon account uri); rows whose key names no known
 * account drop out. A lateral subquery with a limit, so it is looked up once per row.
 */
export function joinAccountOfMention(key: RawBuilder<unknown>, alias: string): RawBuilder<unknown> {
  return sql`cross join lateral (
    select n.id from accounts n where n.mention_key = ${key}
    order by n.last_seen_at desc, n.id limit 1) ${sql.raw(alias)}`;
}

/**
 * The account currently known under a handle (the latest seen). Handles of different networks
 * never look alike (docs/ARCHITECTURE.md), so the handle alone names the network.
 */
export function accountOfHandle(handle: RawBuilder<unknown>) {
  return sql`(select n.id from accounts n where lower(n.username) = lower(${handle})
    order by n.last_seen_at desc, n.id limit 1)`;
}

/**
 * The mention key of the account known under a handle; an X handle not collected yet is its own
 * key (the lower-cased username), as mentions name it.
 */
export function mentionKeyOfHandle(handle: RawBuilder<unknown>) {
  return sql`coalesce((select n.mention_key from accounts n where n.id = ${accountOfHandle(handle)}),
    lower(${handle}))`;
}

/** `alias`.network is the network asked for (no condition for `all`). */
export function onNetwork(alias: string, network: NetworkChoice): RawBuilder<unknown> {
  return network === 'all' ? sql`true` : sql`${sql.ref(`${alias}.network`)} = ${network}`;
}

/**
 * Whether a mention key (an SQL expression) names an account of the network asked for. Its form
 * tells (docs/ARCHITECTURE.md): an X key never holds ':', a Bluesky key is a DID, a Mastodon key an
 * account uri. Read off the key itself, it costs no lookup of the account.
 */
export function mentionKeyOnNetwork(key: RawBuilder<unknown>, network: NetworkChoice): RawBuilder<unknown> {
  switch (network) {
    case 'all':
      return sql`true`;
    case 'x':
      return sql`strpos(${key}, ':') = 0`;
    case 'bluesky':
      return sql`${key} like 'did:%'`;
    case 'mastodon':
      return sql`(strpos(${key}, ':') > 0 and ${key} not like 'did:%')`;
  }
}

/** Ids of the home entity's accounts, as far as they are known. */
export function homeIds(campaign: Pick<Campaign, 'id'>): RawBuilder<unknown> {
  return sql`select h.id from (${homeIdsWithHandles(campaign)}) h`;
}

/** The home entity's accounts: (network, username, id), the id null until the account is known. */
export function homeIdsWithHandles(campaign: Pick<Campaign, 'id'>): RawBuilder<unknown> {
  return sql`select w.network, w.username, coalesce(w.account_id, (select n.id from accounts n
      where n.network = w.network and lower(n.username) = lower(w.username)
      order by n.last_seen_at desc, n.id limit 1)) as id
    from campaign_accounts w where w.campaign_id = ${campaign.id} and w.role = 'home'`;
}

/** Ids of the campaign's watchlist (home entity included), as far as the accounts are known. */
export function watchlistIds(campaign: Pick<Campaign, 'id'>): RawBuilder<unknown> {
  return sql`select coalesce(w.account_id, (select n.id from accounts n
      where n.network = w.network and lower(n.username) = lower(w.username)
      order by n.last_seen_at desc, n.id limit 1))
    from campaign_accounts w where w.campaign_id = ${campaign.id}`;
}

/**
 * Mentions count for accounts known under the mention key that authored a campaign post in the
 * window or are on the watchlist: (account_id, username, value) of scope `all`, `username` being
 * the mention key.
 *
 * `many`: the rows are read for every key mentioned in the window (a board of a window other than
 * the campaign's: 22,495 keys on one day of the 1,000,000-post bench, tests/bench/rank.ts), where
 * one lookup of each key's account and one check of its posts took 190 ms: the keys meet their
 * accounts, and the accounts their posts and reposts in the window, in joins the planner can
 * hash. Otherwise a filter on `value` (movement's floor) leaves a few rows, and each is looked up
 * and checked in turn.
 */
export function mentionedAccountValues(
  campaign: Pick<Campaign, 'id' | 'timezone' | 'window_start' | 'window_end'>,
  plan: WindowPlan,
  window: Span,
  many = false,
): RawBuilder<unknown> {
  if (!many)
    return sql`
      select named.id as account_id, m.username, m.value
      from (${mentionValues(campaign, plan)}) m
      ${joinAccountOfMention(sql`m.username`, 'named')}
      where (named.id in (${watchlistIds(campaign)}) or ${authoredIn(campaign, sql`named.id`, window)})`;
  // Each key beside its accounts, in one hash join (`m` has a row per key). The account known
  // under a key is the one seen last, as joinAccountOfMention picks it: no account under the same
  // key was seen after it (a join on the key, where a sort by it compared text under the
  // database's collation). In a window inside the campaign's, every key has its row in
  // rank_mentions, whose `counted` is null exactly while the key names two accounts
  // (migrations/0008_rank_mentions.ts): only those keys' accounts are compared. A window reaching
  // outside compares every key's accounts.
  const inside = window.from >= campaign.window_start && window.to <= campaign.window_end;
  const rivals = !inside
    ? sql`select id, mention_key, last_seen_at from keyed`
    : sql`select n.id, n.mention_key, n.last_seen_at
          from rank_mentions s join accounts n on n.mention_key = s.username
          where s.campaign_id = ${campaign.id} and s.counted is null`;
  // Whether the account authored a post in the window: its posts and reposts there, read as the
  // window's values are, one row per account, joined. The ids of the window's authors, gathered
  // day by day and made distinct, were half of a two-day board at 5,000,000 posts (536 ms,
  // tests/bench/rank.ts).
  return sql`
    with keyed as (select n.id, n.mention_key, n.last_seen_at, m.value
      from (${mentionValues(campaign, plan)}) m join accounts n on n.mention_key = m.username)
    select named.id as account_id, named.mention_key as username, named.value
    from keyed named
    left join (${accountValues(campaign, 'authored', plan)}) authored on authored.account_id = named.id
    where not exists (
        select 1 from (${rivals}) later where later.mention_key = named.mention_key
          and (later.last_seen_at > named.last_seen_at
            or (later.last_seen_at = named.last_seen_at and later.id < named.id)))
      and (authored.value > 0 or named.id in (select id from (${watchlistIds(campaign)}) w(id)))`;
}
