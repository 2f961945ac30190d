import { type RawBuilder, sql } from 'kysely';
import type { Db } from './database.ts';
import {
  accountSpan,
  accountValues,
  authoredIn,
  homeIds,
  joinAccountById,
  joinAccountOfMention,
  mentionedAccountValues,
  mentionKeyOfHandle,
  mentionKeyOnNetwork,
  mentionSpan,
  type NetworkChoice,
  onNetwork,
  type Span,
  type TotalsColumn,
  totalsColumnOf,
  type WindowPlan,
  watchlistIds,
} from './rank-values.ts';
import { lastCollectionEndQuery } from './run-log-repository.ts';
import type { Campaign, Network } from './schema.ts';

/**
 * The leaderboard's reads: boards of activity metrics ranked in SQL, the values and counts that
 * movement compares with, and the watchlist's values. Which read a board takes, and what the rows
 * mean, is decided in src/rank/ (src/rank/campaign-boards.ts, src/rank/movement.ts,
 * src/rank/small-boards.ts); the final SQL of each read is in src/db/queries/leaderboard-repository.sql.
 */

/** The activity metrics: the rollups' columns, and mentions (kept per mentioned username). */
export type ActivityColumn = TotalsColumn | 'mentions';

/** An activity metric over a window, and how its values are read (src/rank/windows.ts). */
export interface WindowValues {
  metric: ActivityColumn;
  window: Span;
  plan: WindowPlan;
  /** the accounts of one network, or of all */
  network: NetworkChoice;
}

export interface BoardEntry {
  accountId: string;
  network: Network;
  /** how mentions name the account (accounts.mention_key) */
  mentionKey: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  value: number;
}

interface EntryRow {
  account_id: string;
  network: Network;
  mention_key: string;
  username: string;
  name: string;
  profile_image_url: string | null;
  value: number;
}

const toEntry = (row: EntryRow): BoardEntry => ({
  accountId: row.account_id,
  network: row.network,
  mentionKey: row.mention_key,
  username: row.username,
  name: row.name,
  profileImageUrl: row.profile_image_url,
  value: Number(row.value),
});

type CampaignRef = Pick<Campaign, 'id' | 'timezone' | 'home_username' | 'window_start' | 'window_end'>;

/**
 * (account_id, value[, username]) of an activity metric over the window for every account of scope
 * `all`. Mentions count for accounts known under the mentioned username that authored a campaign
 * post in the window or are on the watchlist. `many`: every row is read (a board); otherwise a floor
 * on `value` leaves a few (movement's candidates), and each is looked up in turn.
 */
function valuesOf(campaign: CampaignRef, values: WindowValues, many = false): RawBuilder<unknown> {
  const all =
    values.metric === 'mentions'
      ? mentionedAccountValues(campaign, values.plan, values.window, many)
      : accountValues(campaign, values.metric, values.plan);
  if (values.network === 'all') return all;
  if (values.metric === 'mentions')
    return sql`select s.* from (${all}) s where ${mentionKeyOnNetwork(sql`s.username`, values.network)}`;
  // A board ranks every account with a value: its accounts are hashed. Movement's candidates are
  // the few above a floor, each probed by id: a join let the planner hash every account of the
  // table for them too (40,000 at 1,000,000 posts: 4 of a statement's 10 ms).
  const account = many
    ? sql`join accounts sa on sa.id = s.account_id`
    : joinAccountById(sql`s.account_id`, 'sa');
  return sql`select s.* from (${all}) s ${account} where ${onNetwork('sa', values.network)}`;
}

/**
 * The accounts of a board ranked in SQL with the highest values, for movement's candidates: every
 * account whose value is above `cover` (null: every ranked account) is in `rows`.
 */
export interface Leaders {
  rows: Array<{ accountId: string; mentionKey: string | null; value: number }>;
  cover: number | null;
}

/**
 * At most how many leaders a board ranked in SQL hands to movement: those above the value of the
 * `leadersKept`-th, so that ties on that value (thousands of accounts with one post) never swell it.
 */
const leadersKept = 1000;

/**
 * A board ranked in SQL over every account with a value above 0: the top `limit` rows and the home
 * account's, with their rank (ties share it), and the number ranked.
 *
 * Only the rows on show meet `accounts`: the top rows are the values at or above the `limit`-th
 * value (every tie of it, so the display order can break ties by handle), and their ranks follow
 * within that set, since every higher value is in it; a home row further down counts the values
 * above its own. Joining and sorting every ranked account by handle (38,000 on one day of the
 * 1,000,000-post bench, tests/bench/rank.ts) took most of a day board's time.
 *
 * The values of the best `leadersKept` accounts come back too, as JSON on the first row: movement's
 * candidates are accounts above a floor near the last row on show, and reading the window's values
 * again to find them cost each earlier window nearly as much as the board (on that bench, 47 ms a
 * window against 67 ms for the statement of a two-day board).
 */
export async function rankedBoard(
  db: Db,
  campaign: CampaignRef,
  values: WindowValues,
  limit: number,
): Promise<{
  total: number;
  rows: Array<BoardEntry & { rank: number }>;
  home: (BoardEntry & { rank: number }) | null;
  leaders: Leaders;
}> {
  const key = values.metric === 'mentions' ? sql`username` : sql`null::text`;
  const { rows } = await sql<
    EntryRow & {
      rank: number;
      position: number;
      total: number;
      is_home: boolean;
      cover: number | null;
      leaders: Array<[string, string | null, number]> | null;
    }
  >`
    with v as materialized (
      select account_id, ${key} as mention_key, value from (${valuesOf(campaign, values, true)}) s where value > 0),
    cut as (select value from v order by value desc offset ${Math.max(limit - 1, 0)} limit 1),
    shown as (
      select account_id, value, false as is_home, rank() over (order by value desc) as rank
      from v where value >= coalesce((select value from cut), 0)
      union all
      select account_id, value, true, (select count(*) from v o where o.value > h.value) + 1
      from v h where h.account_id = any(array(${homeIds(campaign)}))
    ),
    cover as (select value from v order by value desc offset ${leadersKept - 1} limit 1)
    select ranked.*, (select count(*) from v)::int as total, (select value::float8 from cover) as cover,
      case when row_number() over (order by is_home, position) = 1 then (
        select json_agg(json_build_array(account_id::text, mention_key, value::float8)) from v
        where value > coalesce((select value from cover), 0)) end as leaders
    from (
      select s.account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
        s.value::float8 as value, s.rank::int as rank, s.is_home,
        row_number() over (partition by s.is_home
          order by s.value desc, lower(a.username) collate "C", s.account_id)::int as position
      from shown s
      ${joinAccountById(sql`s.account_id`, 'a')}
    ) ranked
    -- Every home account (one per network at most): the first, in position order, is the best-ranked.
    where position <= ${limit} or is_home
    order by is_home, position
  `.execute(db);
  const home = rows.find((row) => row.is_home);
  const leaders = (rows[0]?.leaders ?? []).map(([accountId, mentionKey, value]) => ({
    accountId,
    mentionKey,
    value,
  }));
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.filter((row) => !row.is_home).map((row) => ({ ...toEntry(row), rank: row.rank })),
    home: home ? { ...toEntry(home), rank: home.rank } : null,
    leaders: { rows: leaders, cover: rows[0]?.cover ?? null },
  };
}

/** The top rows of the campaign window, down the (campaign_id, metric desc) index, in display order. */
export async function topOfTotals(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  metric: TotalsColumn,
  limit: number,
  network: NetworkChoice,
): Promise<BoardEntry[]> {
  const column = totalsColumnOf(metric);
  const { rows } = await sql<EntryRow>`
    select t.account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
      t.${column}::float8 as value
    from rank_totals t join accounts a on a.id = t.account_id
    where t.campaign_id = ${campaign.id} and t.${column} > 0 and ${onNetwork('a', network)}
    order by t.${column} desc, lower(a.username) collate "C", t.account_id
    limit ${limit}
  `.execute(db);
  return rows.map(toEntry);
}

/**
 * The home entity's best row on the campaign window (on the networks asked for), and how many
 * accounts are above it (an index range; on one network, each candidate's network checked).
 */
export async function homeOfTotals(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  metric: TotalsColumn,
  network: NetworkChoice,
): Promise<{ entry: BoardEntry; above: number } | undefined> {
  const column = totalsColumnOf(metric);
  const higher =
    network === 'all'
      ? sql`select count(*) from rank_totals o
          where o.campaign_id = ${campaign.id} and o.${column} > t.${column}`
      : // The accounts above the home's value, each probed by id (a join hashed every account).
        sql`select count(*) from rank_totals o ${joinAccountById(sql`o.account_id`, 'oa')}
          where o.campaign_id = ${campaign.id} and o.${column} > t.${column} and ${onNetwork('oa', network)}`;
  const { rows } = await sql<EntryRow & { above: number }>`
    select t.account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
      t.${column}::float8 as value, (${higher})::int as above
    from accounts a join rank_totals t on t.account_id = a.id and t.campaign_id = ${campaign.id}
    where a.id in (${homeIds(campaign)}) and t.${column} > 0 and ${onNetwork('a', network)}
    order by t.${column} desc, lower(a.username) collate "C", a.id
    limit 1
  `.execute(db);
  const row = rows[0];
  return row ? { entry: toEntry(row), above: row.above } : undefined;
}

/** Accounts ranked on the campaign window, as `rank_counts` keeps it. */
export async function countOfTotals(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  metric: TotalsColumn,
  network: NetworkChoice,
): Promise<number> {
  const row = await db
    .selectFrom('rank_counts')
    .select(sql<number>`coalesce(sum(accounts_${totalsColumnOf(metric)}), 0)::int`.as('ranked'))
    .where('campaign_id', '=', campaign.id)
    .$if(network !== 'all', (q) => q.where('network', '=', network as Network))
    .executeTakeFirst();
  return row?.ranked ?? 0;
}

/** Mention keys naming an account of scope `all` (an author of the window, or the watchlist) on the networks asked for. */
function namedMentions(campaign: Pick<Campaign, 'id'>, network: NetworkChoice): RawBuilder<unknown> {
  const inScope = (id: RawBuilder<unknown>) => sql`(${id} in (${watchlistIds(campaign)}) or exists (
    select 1 from rank_totals t where t.campaign_id = ${campaign.id} and t.account_id = ${id}
      and t.posts + t.reposts > 0))`;
  return sql`
    select named.id as account_id, m.username, m.mentions
    from rank_mentions m
    ${joinAccountOfMention(sql`m.username`, 'named')}
    where m.campaign_id = ${campaign.id} and m.mentions > 0 and ${inScope(sql`named.id`)}
      and ${mentionKeyOnNetwork(sql`m.username`, network)}`;
}

/**
 * The top mentioned accounts of the campaign window, down the (campaign_id, mentions desc, username)
 * index. Display order breaks ties by handle, and a mention key (a DID, a uri) does not sort as its
 * handle: the walk takes every tie of the last value, and the handles order them.
 */
export async function topOfMentions(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  limit: number,
  network: NetworkChoice,
): Promise<BoardEntry[]> {
  const { rows } = await sql<EntryRow>`
    select n.account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
      n.mentions::float8 as value
    from (${namedMentions(campaign, network)} order by m.mentions desc fetch first ${limit} rows with ties) n
    join accounts a on a.id = n.account_id
    order by n.mentions desc, lower(a.username) collate "C", n.account_id
    limit ${limit}
  `.execute(db);
  return rows.map(toEntry);
}

/** The home entity's most mentioned account over the campaign window, and how many ranked accounts have more. */
export async function homeOfMentions(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'home_username'>,
  network: NetworkChoice,
): Promise<{ entry: BoardEntry; above: number } | undefined> {
  const { rows } = await sql<EntryRow & { above: number }>`
    select h.account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url,
      h.mentions::float8 as value,
      (select count(*) from (${namedMentions(campaign, network)} and m.mentions > h.mentions) higher)::int as above
    from (select m.username, m.mentions, named.id as account_id from rank_mentions m
          ${joinAccountOfMention(sql`m.username`, 'named')}
          where m.campaign_id = ${campaign.id}
            -- One list, not "= … or in (…)": an OR across the two made the planner walk every
            -- mentioned username of the campaign (35,000 at 1,000,000 posts, 8.7 ms) instead of
            -- probing the two or three keys.
            and m.username in (select ${mentionKeyOfHandle(sql`${campaign.home_username}::text`)}
              union all select k.mention_key from accounts k where k.id in (${homeIds(campaign)}))
            and m.mentions > 0) h
    join accounts a on a.id = h.account_id
    where ${onNetwork('a', network)}
    order by h.mentions desc, lower(a.username) collate "C", a.id
    limit 1
  `.execute(db);
  const row = rows[0];
  return row ? { entry: toEntry(row), above: row.above } : undefined;
}

/**
 * Accounts ranked by mentions on the campaign window: kept in `rank_counts`, but for the usernames
 * two accounts share, which are left to the read (see rank_mentions.counted): a handful.
 */
export async function countOfMentions(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  network: NetworkChoice,
): Promise<number> {
  // Only X usernames can be shared by two accounts (a DID or a uri is unique on its network).
  const shared = network === 'all' || network === 'x';
  const { rows } = await sql<{ ranked: number }>`
    select (select coalesce(sum(accounts_mentions), 0)::int from rank_counts r
            where r.campaign_id = ${campaign.id} and ${onNetwork('r', network)})
      + (select count(*) from rank_mentions m
         where ${sql.lit(shared)} and m.campaign_id = ${campaign.id} and m.counted is null and m.mentions > 0
           and rank_mention_counted(m.campaign_id, m.username))::int as ranked
  `.execute(db);
  return rows[0]?.ranked ?? 0;
}

/** Values of an account metric over the span, for the given accounts (absent: none). */
export async function spanValuesOfAccounts(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  metric: TotalsColumn,
  span: Span,
  accountIds: string[],
): Promise<Map<string, number>> {
  const { rows } = await sql<{ account_id: string; value: number }>`
    select account_id, value::float8 as value
    from (${accountSpan(campaign, metric, span, sql`select unnest(${accountIds}::bigint[])`)}) s`.execute(db);
  return new Map(rows.map((row) => [row.account_id, Number(row.value)]));
}

/** Mentions over the span of the given lower-cased usernames (absent: none). */
export async function spanValuesOfUsernames(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  span: Span,
  usernames: string[],
): Promise<Map<string, number>> {
  const { rows } = await sql<{ username: string; value: number }>`
    select username, value::float8 as value
    from (${mentionSpan(campaign, span, sql`select unnest(${usernames}::text[])`)}) s`.execute(db);
  return new Map(rows.map((row) => [row.username, Number(row.value)]));
}

/** Of the given accounts, those in scope `all` on the span: authors in it, or the watchlist. */
export async function membersOf(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  span: Span,
  accountIds: string[],
): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    select t.id from unnest(${accountIds}::bigint[]) as t(id)
    where t.id in (${watchlistIds(campaign)}) or ${authoredIn(campaign, sql`t.id`, span)}`.execute(db);
  return new Set(rows.map((row) => row.id));
}

/**
 * How many accounts have each earlier value (on `before`) above `floor`: the window value minus
 * the late contributions (on `late`), read only for the accounts whose window value is above
 * `floor` — values only grow with the window, so no other account can be.
 */
export async function earlierValueCounts(
  db: Db,
  campaign: CampaignRef,
  values: WindowValues,
  late: Span,
  before: Span,
  floor: number,
  /** the accounts above the floor with their window values, when the board read them (its leaders) */
  known?: Leaders['rows'],
): Promise<Array<{ value: number; count: number }>> {
  const source = known
    ? sql`select * from unnest(${known.map((row) => row.accountId)}::bigint[],
        ${known.map((row) => row.mentionKey)}::text[], ${known.map((row) => String(row.value))}::bigint[])
        as k(account_id, username, value)`
    : valuesOf(campaign, values);
  const query =
    values.metric === 'mentions'
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
          late as (${accountSpan(campaign, values.metric, late, sql`select account_id from candidate`)})
          select (c.value - coalesce(l.value, 0))::float8 as value, count(*)::int as count
          from candidate c left join late l using (account_id)
          where c.value - coalesce(l.value, 0) > ${floor}
          group by 1`;
  const { rows } = await query.execute(db);
  return rows.map((row) => ({ value: Number(row.value), count: row.count }));
}

/** The watchlist's known accounts (home entity included) on the networks asked for. */
export async function watchlistAccounts(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  network: NetworkChoice,
): Promise<Array<Omit<BoardEntry, 'value'>>> {
  const { rows } = await sql<EntryRow>`
    select a.id as account_id, a.network, a.mention_key, a.username, a.name, a.profile_image_url, 0 as value
    from accounts a where a.id in (${watchlistIds(campaign)}) and ${onNetwork('a', network)}`.execute(db);
  return rows.map((row) => {
    const { value: _value, ...entry } = toEntry(row);
    return entry;
  });
}

/** An account of the watchlist and the entity (organisation or person) it belongs to. */
export interface EntityAccount {
  accountId: string;
  entityId: number;
  entityName: string;
}

/** The watchlist's known accounts (home entity included) on the networks asked for, with their entity. */
export async function watchlistEntityAccounts(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  network: NetworkChoice,
): Promise<EntityAccount[]> {
  const { rows } = await sql<{ account_id: string; entity_id: number; entity_name: string }>`
    select a.id as account_id, e.id as entity_id, e.name as entity_name
    from campaign_accounts w
    join campaign_entities e on e.id = w.entity_id
    cross join lateral (select coalesce(w.account_id, (select n.id from accounts n
      where n.network = w.network and lower(n.username) = lower(w.username)
      order by n.last_seen_at desc, n.id limit 1)) as id) known
    join accounts a on a.id = known.id
    where w.campaign_id = ${campaign.id} and ${onNetwork('a', network)}`.execute(db);
  return rows.map((row) => ({
    accountId: row.account_id,
    entityId: row.entity_id,
    entityName: row.entity_name,
  }));
}

/**
 * What every board needs besides its rows, in one round trip: the ids of the home entity's known
 * accounts, and the end of the campaign's last collection run (src/rank/freshness.ts).
 */
export async function boardSubjects(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
): Promise<{ homeIds: Set<string>; lastCollectedAt: Date | null }> {
  const { rows } = await sql<{ home_ids: string[]; last_collected_at: Date | null }>`
    select array(select h.id::text from (${homeIds(campaign)}) h(id) where h.id is not null) as home_ids,
      (${lastCollectionEndQuery(db, campaign.id)}) as last_collected_at`.execute(db);
  return {
    homeIds: new Set(rows[0]?.home_ids ?? []),
    lastCollectedAt: rows[0]?.last_collected_at ?? null,
  };
}

/**
 * Recomputes a campaign's rollups from `posts` and `campaign_posts` (the function rank_rebuild;
 * src/rank/rollups.ts says when).
 */
export async function rebuildRankRollups(db: Db, campaignId: number): Promise<void> {
  await sql`select rank_rebuild(${campaignId}::int)`.execute(db);
}
