import { sql } from 'kysely';
import type { Network } from '../networks/types.ts';
import type { Db } from './database.ts';
import type { Campaign } from './schema.ts';

/** What a coverage report reads (src/rank/coverage.ts says what it makes of it). */

export interface QueryCoverageRow {
  id: number;
  network: Network;
  /** the query as people read it: X's as written, `#tag (bluesky)`, `#tag (mastodon.social)` */
  query: string;
  active: boolean;
  backfill_done: boolean;
  backfill_until_id: string | null;
  /** start of the query's first poll that sent requests */
  polling_since: Date | null;
  /** oldest hour the query has posts for */
  oldest_hour: Date | null;
}

/**
 * Each of the campaign's queries, and how far its polling and its posts go back. Each network logs
 * its runs its own way: X a `poll` per query; Bluesky a `bluesky:poll` per query (its first poll,
 * which only fixes the split, keeps its instant in the cursor: src/collect/source-search.ts);
 * Mastodon one `mastodon-tags` run per instance (named by its host and path) that polls then walks
 * back every tag there. X keeps its walk back in columns, the others in the query's `cursor`.
 */
export async function queryCoverage(db: Db, campaign: Pick<Campaign, 'id'>): Promise<QueryCoverageRow[]> {
  const instanceName = sql`regexp_replace(regexp_replace(q.instance, '^https?://', ''), '/$', '')`;
  const { rows } = await sql<QueryCoverageRow>`
    select q.id, q.network,
      case q.network when 'x' then q.query when 'bluesky' then q.query || ' (bluesky)'
        else '#' || q.query || ' (' || ${instanceName} || ')' end as query,
      q.active,
      case when q.network = 'x' then q.backfill_done
        else coalesce((q.cursor ->> 'backfillDone')::boolean, false) end as backfill_done,
      q.backfill_until_id,
      coalesce((q.cursor ->> 'pollingSince')::timestamptz, (select min(r.started_at) from collection_runs r
        where r.campaign_id = q.campaign_id and r.outcome <> 'budget' and (
          (q.network = 'x' and r.kind = 'poll' and r.target = q.query)
          or (q.network = 'bluesky' and r.kind in ('bluesky:poll', 'bluesky:backfill') and r.target = q.query)
          or (q.network = 'mastodon' and r.kind = 'mastodon-tags' and r.target = ${instanceName})))
      ) as polling_since,
      (select min(h.hour) from rank_query_hourly h
        where h.campaign_id = q.campaign_id and h.query_id = q.id and h.posts > 0) as oldest_hour
    from campaign_queries q where q.campaign_id = ${campaign.id}
    order by q.id`.execute(db);
  return rows;
}

/** Runs that read forward (Mastodon's read each instance forward, then back), and runs that walk back. */
const pollKinds = sql`('poll', 'bluesky:poll', 'mastodon-tags')`;
const backfillKinds = sql`('backfill', 'bluesky:backfill')`;

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
      count(*) filter (where r.kind in ${pollKinds} and r.outcome <> 'budget')::int as polls,
      coalesce(sum(r.requests) filter (where r.kind in ${pollKinds}), 0)::int as poll_requests,
      count(*) filter (where r.kind in ${backfillKinds} and r.outcome <> 'budget')::int as backfills,
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
