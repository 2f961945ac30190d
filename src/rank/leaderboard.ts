import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { startOfDay } from './calendar.ts';
import { inSnapshot } from './consistent-read.ts';
import { followerAccounts, followerValue } from './followers.ts';
import { lastCollectedAt } from './freshness.ts';
import {
  type AccountMetric,
  type ActivityMetric,
  isFollowerMetric,
  type Metric,
  type Scope,
} from './metrics.ts';
import { rankRows, type Scored, ValueCounts } from './ranking.ts';
import {
  accountSpan,
  accountValues,
  authoredIn,
  joinAccountNamed,
  mentionSpan,
  mentionValues,
  type Span,
  strategyFor,
  totalsColumnOf,
  watchlistIds,
} from './sources.ts';

export { type Metric, metrics, type Scope } from './metrics.ts';

export interface LeaderboardQuery {
  metric: Metric;
  scope: Scope;
  /** window [from, to); defaults to the campaign window */
  from?: Date;
  to?: Date;
  limit?: number;
  /**
   * When the board is read (default: `to`). Movement looks back from min(to, asOf): while the
   * window is still open, "an hour ago" means an hour before now, not before the window's end.
   */
  asOf?: Date;
}

export interface LeaderboardRow {
  rank: number;
  accountId: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  value: number;
  isHome: boolean;
  /** rank on the window [from, min(to, asOf) − 1 h); null when not ranked then */
  rankHourAgo: number | null;
  /** rank on the window [from, start of the day of min(to, asOf)); null when not ranked then */
  rankDayStart: number | null;
}

export interface Leaderboard {
  metric: Metric;
  scope: Scope;
  from: Date;
  to: Date;
  /** accounts ranked */
  total: number;
  rows: LeaderboardRow[];
  /** the home account's row, also when it is outside `rows` (pinned on screen) */
  home: LeaderboardRow | null;
  /** the ends of the windows that `rankHourAgo` and `rankDayStart` rank (null: empty window) */
  movement: { hourAgo: Date | null; dayStart: Date | null };
  /** end of the campaign's last successful collection run */
  lastCollectedAt: Date | null;
}

interface Entry extends Scored {
  name: string;
  profileImageUrl: string | null;
}

/** A board before movement: the rows on show and the home row, ranked on the window. */
interface Board {
  total: number;
  rows: Array<Entry & { rank: number }>;
  home: (Entry & { rank: number }) | null;
}

type Movement = Map<string, [number | null, number | null]>;

/**
 * Ranks the campaign's accounts on a metric (definitions in docs/METRICS.md). Standard competition
 * ranking: equal values share a rank (1, 2, 2, 4); display order breaks ties by username, then id.
 * Accounts are ranked when they have a value: above zero for the activity metrics (posts, reposts,
 * engagement, impressions, mentions), a reading for the follower metrics (any value for the growth,
 * a starting point above zero for the %).
 *
 * Every read of one board comes from one snapshot of the database (a repeatable-read transaction):
 * rows, ranks, total and movement agree with each other while collectors write.
 */
export async function leaderboard(db: Db, campaign: Campaign, query: LeaderboardQuery): Promise<Leaderboard> {
  const window = { from: query.from ?? campaign.window_start, to: query.to ?? campaign.window_end };
  const limit = query.limit ?? 50;
  const ends = movementEnds(campaign, window, query.asOf ?? window.to);
  return inSnapshot(db, async (trx) => {
    const isHome = (username: string) => username.toLowerCase() === campaign.home_username.toLowerCase();
    const refs = [ends.hourAgo, ends.dayStart];
    let board: Board;
    let movement: Movement;
    if (isFollowerMetric(query.metric) || query.scope === 'watchlist') {
      ({ board, movement } = await smallBoard(trx, campaign, query, window, refs, limit));
    } else {
      const metric = query.metric;
      const source = boardSource(campaign, metric, window);
      board = await campaignBoard(trx, campaign, metric, window, source, limit);
      const targets = [...board.rows, ...(board.home ? [board.home] : [])];
      movement = await movementOf(trx, campaign, metric, window, source, targets, refs);
    }
    const toRow = (entry: Entry & { rank: number }): LeaderboardRow => {
      const [rankHourAgo, rankDayStart] = movement.get(entry.accountId) ?? [null, null];
      return {
        rank: entry.rank,
        accountId: entry.accountId,
        username: entry.username,
        name: entry.name,
        profileImageUrl: entry.profileImageUrl,
        value: entry.value,
        isHome: isHome(entry.username),
        rankHourAgo,
        rankDayStart,
      };
    };
    return {
      metric: query.metric,
      scope: query.scope,
      from: window.from,
      to: window.to,
      total: board.total,
      rows: board.rows.map(toRow),
      home: board.home ? toRow(board.home) : null,
      movement: ends,
      lastCollectedAt: await lastCollectedAt(trx, campaign.id),
    };
  });
}

/**
 * Ends of the windows the movement compares with: an hour before, and the start of the day of, the
 * window's last instant so far — min(to, asOf). A reference at or before `from` is an empty window.
 */
export function movementEnds(
  campaign: Pick<Campaign, 'timezone'>,
  window: Span,
  asOf: Date,
): { hourAgo: Date | null; dayStart: Date | null } {
  const end = Math.min(window.to.getTime(), asOf.getTime());
  const hourAgo = new Date(end - 3600_000);
  // The day of the last instant: a window ending at midnight compares with that day's start.
  const dayStart = startOfDay(new Date(end - 1), campaign.timezone);
  const after = (instant: Date) => (instant > window.from ? instant : null);
  return { hourAgo: after(hourAgo), dayStart: after(dayStart) };
}

/**
 * (account_id, value[, username]) of an activity metric over the window for every account of scope
 * `all`. Mentions count for accounts known under the mentioned username that authored a campaign
 * post in the window or are on the watchlist.
 */
function boardSource(campaign: Campaign, metric: ActivityMetric, window: Span): RawBuilder<unknown> {
  if (metric !== 'mentions') return accountValues(campaign, metric, window);
  return sql`
    select named.id as account_id, m.username, m.value
    from (${mentionValues(campaign, window)}) m
    ${joinAccountNamed(sql`m.username`, 'named')}
    where (named.id in (${watchlistIds(campaign)}) or ${authoredIn(campaign, sql`named.id`, window)})`;
}

interface EntryRow {
  account_id: string;
  username: string;
  name: string;
  profile_image_url: string | null;
  value: number;
}

const toEntry = (row: EntryRow): Entry => ({
  accountId: row.account_id,
  username: row.username,
  name: row.name,
  profileImageUrl: row.profile_image_url,
  value: Number(row.value),
});

async function campaignBoard(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  window: Span,
  source: RawBuilder<unknown>,
  limit: number,
): Promise<Board> {
  if (strategyFor(campaign, window) === 'totals') {
    return metric === 'mentions'
      ? indexedMentionsBoard(db, campaign, limit)
      : indexedBoard(db, campaign, metric, limit);
  }
  const { rows } = await sql<EntryRow & { rank: number; position: number; total: number; is_home: boolean }>`
    with v as materialized (select account_id, value from (${source}) s where value > 0),
    ranked as (
      select v.account_id, a.username, a.name, a.profile_image_url, v.value::float8 as value,
        rank() over (order by v.value desc)::int as rank,
        row_number() over (order by v.value desc, lower(a.username) collate "C", v.account_id)::int as position,
        count(*) over ()::int as total,
        lower(a.username) = lower(${campaign.home_username}) as is_home
      from v join accounts a on a.id = v.account_id
    )
    select * from ranked where position <= ${limit} or is_home order by position
  `.execute(db);
  const home = rows.find((row) => row.is_home);
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.filter((row) => row.position <= limit).map((row) => ({ ...toEntry(row), rank: row.rank })),
    home: home ? { ...toEntry(home), rank: home.rank } : null,
  };
}

/**
 * The campaign window on an indexed metric: the top rows walk the (campaign_id, metric desc) index,
 * their ranks follow from their order (every higher value comes before), the home account's rank
 * is an index range count, and the number of ranked accounts is kept in `rank_counts`.
 */
async function indexedBoard(
  db: Db,
  campaign: Campaign,
  metric: AccountMetric,
  limit: number,
): Promise<Board> {
  const column = totalsColumnOf(metric);
  const [top, home, counts] = await Promise.all([
    sql<EntryRow>`
      select t.account_id, a.username, a.name, a.profile_image_url, t.${column}::float8 as value
      from rank_totals t join accounts a on a.id = t.account_id
      where t.campaign_id = ${campaign.id} and t.${column} > 0
      order by t.${column} desc, lower(a.username) collate "C", t.account_id
      limit ${limit}
    `.execute(db),
    sql<EntryRow & { above: number }>`
      select t.account_id, a.username, a.name, a.profile_image_url, t.${column}::float8 as value,
        (select count(*) from rank_totals o
          where o.campaign_id = ${campaign.id} and o.${column} > t.${column})::int as above
      from accounts a join rank_totals t on t.account_id = a.id and t.campaign_id = ${campaign.id}
      where lower(a.username) = lower(${campaign.home_username}) and t.${column} > 0
      order by a.last_seen_at desc
      limit 1
    `.execute(db),
    db
      .selectFrom('rank_counts')
      .select(sql<number>`accounts_${column}`.as('ranked'))
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirst(),
  ]);
  let rank = 0;
  const rows = top.rows.map((row, index) => {
    if (index === 0 || Number(top.rows[index - 1]?.value) !== Number(row.value)) rank = index + 1;
    return { ...toEntry(row), rank };
  });
  const homeRow = home.rows[0];
  return {
    total: counts?.ranked ?? 0,
    rows,
    home: homeRow ? { ...toEntry(homeRow), rank: homeRow.above + 1 } : null,
  };
}

/**
 * Mentions over the campaign window: the same walk down the (campaign_id, mentions desc, username)
 * index, keeping the mentioned usernames that name an account of scope `all` (an author of the
 * window, or the watchlist); the number ranked is kept in `rank_counts`.
 *
 * Why kept at write time (migrations/0008_rank_mentions.ts) rather than counted here: counting joins
 * every mentioned username with `accounts` — hundreds of milliseconds at 200,000 accounts, however
 * the join is planned, on every read. Kept, it costs the writes that can move it (a username's
 * mentions leaving or reaching 0, an account starting or stopping to post in the window, the
 * watchlist, a rename or a username shared by two accounts), each recomputing only the usernames it
 * touched, at commit and under the campaign's lock, so it stays exact with concurrent writers.
 */
async function indexedMentionsBoard(db: Db, campaign: Campaign, limit: number): Promise<Board> {
  const inScope = (id: RawBuilder<unknown>) => sql`(${id} in (${watchlistIds(campaign)}) or exists (
    select 1 from rank_totals t where t.campaign_id = ${campaign.id} and t.account_id = ${id}
      and t.posts + t.reposts > 0))`;
  const named = sql`
    select named.id as account_id, m.username, m.mentions
    from rank_mentions m
    ${joinAccountNamed(sql`m.username`, 'named')}
    where m.campaign_id = ${campaign.id} and m.mentions > 0 and ${inScope(sql`named.id`)}`;
  const [top, home, counts] = await Promise.all([
    sql<EntryRow>`
      select n.account_id, a.username, a.name, a.profile_image_url, n.mentions::float8 as value
      from (${named} order by m.mentions desc, m.username collate "C" limit ${limit}) n
      join accounts a on a.id = n.account_id
      order by n.mentions desc, n.username collate "C"
    `.execute(db),
    sql<EntryRow & { above: number }>`
      select h.account_id, a.username, a.name, a.profile_image_url, h.mentions::float8 as value,
        (select count(*) from (${named} and m.mentions > h.mentions) higher)::int as above
      from (select m.username, m.mentions, named.id as account_id from rank_mentions m
            ${joinAccountNamed(sql`m.username`, 'named')}
            where m.campaign_id = ${campaign.id} and m.username = lower(${campaign.home_username}::text)
              and m.mentions > 0) h
      join accounts a on a.id = h.account_id
    `.execute(db),
    // Usernames two accounts share are left to the read (see rank_mentions.counted): a handful.
    sql<{ ranked: number }>`
      select coalesce((select accounts_mentions from rank_counts where campaign_id = ${campaign.id}), 0)
        + (select count(*) from rank_mentions m
           where m.campaign_id = ${campaign.id} and m.counted is null and m.mentions > 0
             and rank_mention_counted(m.campaign_id, m.username))::int as ranked
    `.execute(db),
  ]);
  let rank = 0;
  const rows = top.rows.map((row, index) => {
    if (index === 0 || Number(top.rows[index - 1]?.value) !== Number(row.value)) rank = index + 1;
    return { ...toEntry(row), rank };
  });
  const homeRow = home.rows[0];
  return {
    total: counts.rows[0]?.ranked ?? 0,
    rows,
    home: homeRow ? { ...toEntry(homeRow), rank: homeRow.above + 1 } : null,
  };
}

/**
 * Ranks of the target accounts on the windows [from, ref). Values only grow with the window, so an
 * account can be above a target's earlier value v only if its value on the whole window is above v:
 * the candidates are the accounts whose window value exceeds the smallest target value (a short
 * index range for the top of a board), and only their late contributions, [ref, to), are read.
 */
async function movementOf(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  window: Span,
  source: RawBuilder<unknown>,
  targets: Entry[],
  refs: Array<Date | null>,
): Promise<Movement> {
  const movement: Movement = new Map(targets.map((target) => [target.accountId, [null, null]]));
  if (targets.length === 0) return movement;
  for (const [index, ref] of refs.entries()) {
    if (!ref) continue;
    const late = { from: ref, to: window.to };
    const before = { from: window.from, to: ref };
    const earlier = await earlierValues(db, campaign, metric, late, before, targets);
    const values = [...earlier.values()].filter((value) => value > 0);
    if (values.length === 0) continue;
    const floor = Math.min(...values);
    const counts = await earlierCounts(db, campaign, metric, late, before, source, floor);
    for (const target of targets) {
      const value = earlier.get(target.accountId);
      const ranks = movement.get(target.accountId);
      if (ranks && value !== undefined && value > 0) ranks[index] = counts.countAbove(value) + 1;
    }
  }
  return movement;
}

/** The targets' values on the earlier window: window value minus the late contributions. */
async function earlierValues(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  late: Span,
  before: Span,
  targets: Entry[],
): Promise<Map<string, number>> {
  const earlier = new Map<string, number>();
  if (metric === 'mentions') {
    const names = targets.map((target) => target.username.toLowerCase());
    const { rows } = await sql<{ username: string; value: number }>`
      select username, value::float8 as value
      from (${mentionSpan(campaign, late, sql`select unnest(${names}::text[])`)}) s`.execute(db);
    const member = await membersBefore(db, campaign, before, targets);
    const lateOf = new Map(rows.map((row) => [row.username, Number(row.value)]));
    for (const target of targets) {
      if (!member.has(target.accountId)) continue;
      earlier.set(target.accountId, target.value - (lateOf.get(target.username.toLowerCase()) ?? 0));
    }
    return earlier;
  }
  const ids = targets.map((target) => target.accountId);
  const { rows } = await sql<{ account_id: string; value: number }>`
    select account_id, value::float8 as value
    from (${accountSpan(campaign, metric, late, sql`select unnest(${ids}::bigint[])`)}) s`.execute(db);
  const lateOf = new Map(rows.map((row) => [row.account_id, Number(row.value)]));
  for (const target of targets)
    earlier.set(target.accountId, target.value - (lateOf.get(target.accountId) ?? 0));
  return earlier;
}

/** Accounts (of the targets) in scope `all` on the earlier window: authors in it, or the watchlist. */
async function membersBefore(
  db: Db,
  campaign: Campaign,
  before: Span,
  targets: Entry[],
): Promise<Set<string>> {
  const ids = targets.map((target) => target.accountId);
  const { rows } = await sql<{ id: string }>`
    select t.id from unnest(${ids}::bigint[]) as t(id)
    where t.id in (${watchlistIds(campaign)}) or ${authoredIn(campaign, sql`t.id`, before)}`.execute(db);
  return new Set(rows.map((row) => row.id));
}

/** How many accounts have each earlier value above `floor`, among the accounts that could. */
async function earlierCounts(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  late: Span,
  before: Span,
  source: RawBuilder<unknown>,
  floor: number,
): Promise<ValueCounts> {
  const query =
    metric === 'mentions'
      ? sql<{ value: number; count: number }>`
          with candidate as materialized (
            select account_id, username, value from (${source}) s where value > ${floor}
          ),
          late as (${mentionSpan(campaign, late, sql`select username from candidate`)})
          select (c.value - coalesce(l.value, 0))::float8 as value, count(*)::int as count
          from candidate c left join late l using (username)
          where c.value - coalesce(l.value, 0) > ${floor}
            and (c.account_id in (${watchlistIds(campaign)}) or ${authoredIn(campaign, sql`c.account_id`, before)})
          group by 1`
      : sql<{ value: number; count: number }>`
          with candidate as materialized (
            select account_id, value from (${source}) s where value > ${floor}
          ),
          late as (${accountSpan(campaign, metric, late, sql`select account_id from candidate`)})
          select (c.value - coalesce(l.value, 0))::float8 as value, count(*)::int as count
          from candidate c left join late l using (account_id)
          where c.value - coalesce(l.value, 0) > ${floor}
          group by 1`;
  const { rows } = await query.execute(db);
  return new ValueCounts(rows.map((row) => ({ value: Number(row.value), count: row.count })));
}

/**
 * Boards small enough to rank in JavaScript: the watchlist, and the follower metrics (read from the
 * snapshots of the accounts that have some). Values are read for the window and for the movement's
 * earlier windows in the same queries.
 */
async function smallBoard(
  db: Db,
  campaign: Campaign,
  query: LeaderboardQuery,
  window: Span,
  refs: Array<Date | null>,
  limit: number,
): Promise<{ board: Board; movement: Movement }> {
  const ends = [window.to, ...refs];
  const entries = isFollowerMetric(query.metric)
    ? await followerEntries(db, campaign, query, window, ends)
    : await watchlistEntries(db, campaign, query.metric, window, ends);
  const rankedAt = ends.map((end, index) => {
    if (!end) return new Map<string, number>();
    const scored = entries.flatMap((entry) => {
      const value = entry.values[index];
      return value === null || value === undefined ? [] : [{ ...entry.entry, value }];
    });
    return new Map(rankRows(scored).map((row) => [row.accountId, row.rank]));
  });
  const ranked = rankRows(
    entries.flatMap((entry) => {
      const value = entry.values[0];
      return value === null || value === undefined ? [] : [{ ...entry.entry, value }];
    }),
  );
  const home = ranked.find((row) => row.username.toLowerCase() === campaign.home_username.toLowerCase());
  const movement: Movement = new Map(
    ranked.map((row) => [
      row.accountId,
      [rankedAt[1]?.get(row.accountId) ?? null, rankedAt[2]?.get(row.accountId) ?? null],
    ]),
  );
  return { board: { total: ranked.length, rows: ranked.slice(0, limit), home: home ?? null }, movement };
}

interface SmallEntry {
  entry: Omit<Entry, 'value'>;
  /** value on [from, end) for each end (null: not ranked on that window) */
  values: Array<number | null>;
}

async function followerEntries(
  db: Db,
  campaign: Campaign,
  query: LeaderboardQuery,
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  const metric = query.metric;
  if (!isFollowerMetric(metric)) return [];
  const instants = ends.map((end) => end ?? window.to);
  const accounts = await followerAccounts(db, campaign, query.scope, window, instants);
  return accounts.map((account) => ({
    entry: {
      accountId: account.accountId,
      username: account.username,
      name: account.name,
      profileImageUrl: account.profileImageUrl,
    },
    values: ends.map((end, index) => (end ? followerValue(account, metric, query.scope, end, index) : null)),
  }));
}

/** Activity metrics of the watchlist accounts, one query per window end. */
async function watchlistEntries(
  db: Db,
  campaign: Campaign,
  metric: ActivityMetric,
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  const { rows: accounts } = await sql<Omit<EntryRow, 'value'>>`
    select a.id as account_id, a.username, a.name, a.profile_image_url
    from accounts a where a.id in (${watchlistIds(campaign)})`.execute(db);
  const ids = accounts.map((account) => account.account_id);
  const names = accounts.map((account) => account.username.toLowerCase());
  const valuesAt = await Promise.all(
    ends.map(async (end) => {
      if (!end) return new Map<string, number>();
      const span = { from: window.from, to: end };
      if (metric === 'mentions') {
        const { rows } = await sql<{ username: string; value: number }>`
          select username, value::float8 as value
          from (${mentionSpan(campaign, span, sql`select unnest(${names}::text[])`)}) s`.execute(db);
        return new Map(rows.map((row) => [row.username, Number(row.value)]));
      }
      const { rows } = await sql<{ account_id: string; value: number }>`
        select account_id, value::float8 as value
        from (${accountSpan(campaign, metric, span, sql`select unnest(${ids}::bigint[])`)}) s`.execute(db);
      return new Map(rows.map((row) => [row.account_id, Number(row.value)]));
    }),
  );
  return accounts.map((account) => ({
    entry: {
      accountId: account.account_id,
      username: account.username,
      name: account.name,
      profileImageUrl: account.profile_image_url,
    },
    values: valuesAt.map((values) => {
      const value = values.get(metric === 'mentions' ? account.username.toLowerCase() : account.account_id);
      return value !== undefined && value > 0 ? value : null;
    }),
  }));
}
