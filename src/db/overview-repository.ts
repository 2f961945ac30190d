import { sql } from 'kysely';
import type { Network } from '../networks/types.ts';
import type { Db } from './database.ts';
import {
  accountSpan,
  accountValues,
  homeIdsWithHandles,
  type NetworkChoice,
  onNetwork,
  type Span,
  type WindowPlan,
} from './rank-values.ts';
import type { Campaign } from './schema.ts';

/** The reads of the campaign at a glance (src/rank/overview.ts assembles them). */

/** Each query of the campaign on the network (every network: `all`), by id. */
export async function campaignQueries(db: Db, campaign: Pick<Campaign, 'id'>, network: NetworkChoice) {
  let query = db
    .selectFrom('campaign_queries')
    .select(['id', 'network', 'query', 'active'])
    .where('campaign_id', '=', campaign.id);
  if (network !== 'all') query = query.where('network', '=', network);
  return query.orderBy('id').execute();
}

/**
 * The networks a campaign follows: those of its queries and of its home and watched accounts, in
 * the order of `networks` (src/networks/types.ts).
 */
export async function followedNetworks(db: Db, campaign: Pick<Campaign, 'id'>): Promise<Network[]> {
  const { rows } = await sql<{ network: Network }>`
    select network from campaign_queries where campaign_id = ${campaign.id}
    union select network from campaign_accounts where campaign_id = ${campaign.id}`.execute(db);
  const followed = new Set(rows.map((row) => row.network));
  return (['x', 'bluesky', 'mastodon'] as const).filter((network) => followed.has(network));
}

/**
 * What the overview's headline needs in one round trip: the networks the campaign follows (as
 * `followedNetworks`) and the home entity's account on each (handle, and id once known).
 */
export async function headlineSubjects(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
): Promise<{
  networks: Network[];
  home: Array<{ network: Network; handle: string; accountId: string | null }>;
}> {
  const { rows } = await sql<{
    networks: Network[];
    home: Array<{ network: Network; handle: string; accountId: string | null }>;
  }>`
    select
      array(select network from campaign_queries where campaign_id = ${campaign.id}
        union select network from campaign_accounts where campaign_id = ${campaign.id}) as networks,
      coalesce((select json_agg(json_build_object('network', h.network, 'handle', h.username,
        'accountId', h.id::text)) from (${homeIdsWithHandles(campaign)}) h), '[]') as home`.execute(db);
  const followed = new Set(rows[0]?.networks ?? []);
  return {
    networks: (['x', 'bluesky', 'mastodon'] as const).filter((network) => followed.has(network)),
    home: rows[0]?.home ?? [],
  };
}

/** The home entity's accounts, then the watchlist's, in the campaign file's order, each network in turn. */
export async function watchedAccounts(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
): Promise<Array<{ network: Network; handle: string; isHome: boolean }>> {
  const { rows } = await sql<{ network: Network; handle: string; is_home: boolean }>`
    select w.network, w.username as handle, w.role = 'home' as is_home
    from campaign_accounts w join campaign_entities e on e.id = w.entity_id
    where w.campaign_id = ${campaign.id}
    order by w.role = 'home' desc, e.position,
      array_position(array['x', 'bluesky', 'mastodon']::text[], w.network::text), w.username`.execute(db);
  return rows.map((row) => ({ network: row.network, handle: row.handle, isHome: row.is_home }));
}

/** The home entity's handle on each network it has an account on. */
export async function homeHandlesOf(db: Db, campaign: Pick<Campaign, 'id'>): Promise<Map<Network, string>> {
  const rows = await db
    .selectFrom('campaign_accounts')
    .select(['network', 'username'])
    .where('campaign_id', '=', campaign.id)
    .where('role', '=', 'home')
    .execute();
  return new Map(rows.map((row) => [row.network, row.username]));
}

/**
 * Posts, replies and quotes each query matched per hour (of the campaign's timezone) of their
 * creation over the window; hours without any are absent. Whole hours from the hourly rollup, the
 * parts of hours at the window's ends from the ledger.
 */
export async function postsPerQueryHour(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  window: Span,
): Promise<Array<{ queryId: number; at: Date; value: number }>> {
  const tz = sql`${campaign.timezone}::text`;
  const from = sql`${window.from.toISOString()}::timestamptz`;
  const to = sql`${window.to.toISOString()}::timestamptz`;
  const firstWhole = sql`(case when date_trunc('hour', ${from}, ${tz}) = ${from} then ${from}
    else date_trunc('hour', date_trunc('hour', ${from}, ${tz}) + interval '90 minutes', ${tz}) end)`;
  const lastWhole = sql`date_trunc('hour', ${to}, ${tz})`;
  const { rows } = await sql<{ query_id: number; at: Date; value: number }>`
    select query_id, at, sum(value)::int as value from (
      select q.query_id, q.hour as at, q.posts as value from rank_query_hourly q
      where q.campaign_id = ${campaign.id} and q.hour >= ${firstWhole} and q.hour < ${lastWhole}
      union all
      select e.query_id, date_trunc('hour', l.created_at, ${tz}), 1
      from rank_posts l cross join unnest(l.query_ids) as e(query_id)
      where l.campaign_id = ${campaign.id} and not l.repost and (
        (l.created_at >= ${from} and l.created_at < least(${firstWhole}, ${to}))
        or (l.created_at >= greatest(${lastWhole}, ${firstWhole}) and l.created_at < ${to}))
    ) parts
    group by 1, 2 having sum(value) > 0
    order by 1, 2`.execute(db);
  return rows.map((row) => ({ queryId: row.query_id, at: new Date(row.at), value: row.value }));
}

export interface CampaignTotals {
  /** accounts that authored a campaign post (any kind) in the window */
  authors: number;
  posts: number;
  engagement: number;
}

/**
 * The campaign's authors, posts and engagement over a window on the network (every network: `all`):
 * kept in `rank_counts`, per network, for the campaign window.
 */
export async function windowTotals(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  plan: WindowPlan,
  network: NetworkChoice,
): Promise<CampaignTotals> {
  if (plan.strategy === 'totals') {
    let counts = db
      .selectFrom('rank_counts')
      .select([
        sql<number>`coalesce(sum(authors), 0)::int`.as('authors'),
        sql<string>`coalesce(sum(sum_posts), 0)`.as('sum_posts'),
        sql<string>`coalesce(sum(sum_engagement), 0)`.as('sum_engagement'),
      ])
      .where('campaign_id', '=', campaign.id);
    if (network !== 'all') counts = counts.where('network', '=', network);
    const row = await counts.executeTakeFirst();
    return {
      authors: row?.authors ?? 0,
      posts: Number(row?.sum_posts ?? 0),
      engagement: Number(row?.sum_engagement ?? 0),
    };
  }
  const onIt = (metric: 'posts' | 'reposts' | 'engagement') => sql`
    select v.account_id, v.value from (${accountValues(campaign, metric, plan)}) v
    join accounts a on a.id = v.account_id where ${onNetwork('a', network)}`;
  const { rows } = await sql<{ authors: number; posts: number; engagement: number }>`
    with p as (${onIt('posts')}),
      r as (${onIt('reposts')}),
      e as (${onIt('engagement')})
    select
      (select count(*) from (select account_id from p where value > 0
        union select account_id from r where value > 0) a)::int as authors,
      (select coalesce(sum(value), 0) from p)::float8 as posts,
      (select coalesce(sum(value), 0) from e)::float8 as engagement`.execute(db);
  const row = rows[0];
  return {
    authors: row?.authors ?? 0,
    posts: Number(row?.posts ?? 0),
    engagement: Number(row?.engagement ?? 0),
  };
}

/**
 * The home entity's posts and engagement over the window: these accounts of it (its known
 * accounts on the networks asked for, src/rank/overview.ts), summed.
 */
export async function homeTotals(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  window: Span,
  accountIds: readonly string[],
): Promise<{ posts: number; engagement: number }> {
  // The ids as a value, not a subquery: the planner then reads each id's rows by index.
  const home = sql`select unnest(${accountIds}::bigint[])`;
  const { rows } = await sql<{ posts: number; engagement: number }>`
    select
      (select coalesce(sum(value), 0) from (${accountSpan(campaign, 'posts', window, home)}) p)::float8 as posts,
      (select coalesce(sum(value), 0) from (${accountSpan(campaign, 'engagement', window, home)}) e)::float8
        as engagement`.execute(db);
  return { posts: Number(rows[0]?.posts ?? 0), engagement: Number(rows[0]?.engagement ?? 0) };
}

export interface EngagingPostRow {
  id: string;
  network: Network;
  native_id: string;
  username: string;
  name: string;
  text: string;
  created_at: Date;
  kind: string;
  like_count: number;
  repost_count: number;
  reply_count: number;
  quote_count: number;
  engagement: string;
  impression_count: string | null;
}

/** Campaign posts (not reposts) of the window with the most engagement; ties by newest, then id. */
export async function mostEngagingPosts(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  window: Span,
  limit: number,
  network: NetworkChoice,
): Promise<EngagingPostRow[]> {
  const { rows } = await sql<EngagingPostRow>`
    select p.id, p.network, coalesce(p.native_id, p.id::text) as native_id, a.username, a.name, p.text, p.created_at, p.kind, p.like_count, p.repost_count,
      p.reply_count, p.quote_count, l.engagement, p.impression_count
    from rank_posts l
    join posts p on p.id = l.post_id
    join accounts a on a.id = l.author_id
    where l.campaign_id = ${campaign.id} and not l.repost
      and l.created_at >= ${window.from.toISOString()}::timestamptz
      and l.created_at < ${window.to.toISOString()}::timestamptz
      and ${onNetwork('a', network)}
    order by l.engagement desc, l.created_at desc, l.post_id desc
    limit ${limit}`.execute(db);
  return rows;
}
