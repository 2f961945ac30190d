import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { Campaign } from './schema.ts';

/** What a coverage report reads (src/rank/coverage.ts says what it makes of it). */

export interface QueryCoverageRow {
  id: number;
  query: string;
  active: boolean;
  backfill_done: boolean;
  backfill_until_id: string | null;
  /** start of the query's first poll that sent requests */
  polling_since: Date | null;
  /** oldest hour the query has posts for */
  oldest_hour: Date | null;
}

/** Each of the campaign's queries, and how far its polling and its posts go back. */
export async function queryCoverage(db: Db, campaign: Pick<Campaign, 'id'>): Promise<QueryCoverageRow[]> {
  const { rows } = await sql<QueryCoverageRow>`
    select q.id, q.query, q.active, q.backfill_done, q.backfill_until_id,
      (select min(r.started_at) from collection_runs r
        where r.campaign_id = q.campaign_id and r.kind = 'poll' and r.target = q.query
          and r.outcome <> 'budget') as polling_since,
      (select min(h.hour) from rank_query_hourly h
        where h.campaign_id = q.campaign_id and h.query_id = q.id and h.posts > 0) as oldest_hour
    from campaign_queries q where q.campaign_id = ${campaign.id}
    order by q.id`.execute(db);
  return rows;
}

export interface RunsHourRow {
  at: Date;
  polls: number;
  poll_requests: number;
  backfills: number;
  rate_limited: number;
  failed: number;
  budget_paused: number;
}

/** The campaign's collection runs per hour (of its timezone) they started in, over [from, to). */
export async function runsPerHour(
  db: Db,
  campaign: Pick<Campaign, 'id' | 'timezone'>,
  window: { from: Date; to: Date },
): Promise<RunsHourRow[]> {
  const { rows } = await sql<RunsHourRow>`
    select date_trunc('hour', r.started_at, ${campaign.timezone}::text) as at,
      -- A run the budget stopped sent nothing: it is counted apart, not as a poll or backfill.
      count(*) filter (where r.kind = 'poll' and r.outcome <> 'budget')::int as polls,
      coalesce(sum(r.requests) filter (where r.kind = 'poll'), 0)::int as poll_requests,
      count(*) filter (where r.kind = 'backfill' and r.outcome <> 'budget')::int as backfills,
      count(*) filter (where r.outcome = 'rate_limited')::int as rate_limited,
      count(*) filter (where r.outcome = 'failed')::int as failed,
      count(*) filter (where r.outcome = 'budget')::int as budget_paused
    from collection_runs r
    where r.campaign_id = ${campaign.id}
      and r.started_at >= ${window.from.toISOString()}::timestamptz
      and r.started_at < ${window.to.toISOString()}::timestamptz
    group by 1`.execute(db);
  return rows;
}

export interface SourceRow {
  /** `recent`, `archive`, `timeline`, `lookup`, `import:<file>`, `collected`; `unknown` before migration 0012 */
  source: string;
  count: number;
  first: Date;
  last: Date;
}

/**
 * Where the window's figures came from: the campaign posts created in the window by the way they
 * were first stored, and the follower readings of the home and watchlist accounts taken in it by
 * theirs (collected, or imported from a file), each with the span it covers.
 */
export async function windowSources(
  db: Db,
  campaign: Pick<Campaign, 'id'>,
  window: { from: Date; to: Date },
): Promise<{ posts: SourceRow[]; followerReadings: SourceRow[] }> {
  const [posts, readings] = await Promise.all([
    sql<SourceRow>`
      select coalesce(p.source, 'unknown') as source, count(*)::int as count,
        min(p.created_at) as first, max(p.created_at) as last
      from posts p
      where p.created_at >= ${window.from} and p.created_at < ${window.to}
        and exists (select 1 from campaign_posts cp where cp.post_id = p.id and cp.campaign_id = ${campaign.id})
      group by 1 order by min(p.created_at), 1`.execute(db),
    sql<SourceRow>`
      select s.source, count(*)::int as count, min(s.observed_at) as first, max(s.observed_at) as last
      from account_snapshots s
      where s.observed_at >= ${window.from} and s.observed_at < ${window.to}
        and s.account_id in (
          select a.id from accounts a
          join campaign_accounts ca on lower(ca.username) = lower(a.username)
          where ca.campaign_id = ${campaign.id})
      group by 1 order by min(s.observed_at), 1`.execute(db),
  ]);
  return { posts: posts.rows, followerReadings: readings.rows };
}
