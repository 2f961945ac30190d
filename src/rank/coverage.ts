import { inSnapshot } from '../db/consistent-read.ts';
import { queryCoverage, runsPerHour } from '../db/coverage-repository.ts';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import type { Network } from '../networks/types.ts';
import { postIdTime, recentSearchReachMs } from '../networks/x/ids.ts';
import { hoursBetween } from './calendar.ts';

/**
 * How a query's posts of an hour were (or will be) collected:
 * - `polled`: live polling covers the hour (it started before the hour ended);
 * - `backfilled`: before polling started, and the walk back has gone past the hour;
 * - `pending`: before polling started, the walk back has not reached it yet;
 * - `beyond_reach`: older than recent search's 7 days when polling started: never collected;
 * - `not_collected`: the query has not been polled yet.
 */
export type HourCollection = 'polled' | 'backfilled' | 'pending' | 'beyond_reach' | 'not_collected';

export interface CoverageQuery {
  id: number;
  network: Network;
  query: string;
  active: boolean;
  /** start of the query's first poll */
  pollingSince: Date | null;
  /** posts older than this come from the walk back (the oldest post of the first poll) */
  backfillFrom: Date | null;
  backfillDone: boolean;
  /** oldest hour the query has posts for */
  oldestPostHour: Date | null;
}

export interface CoverageHour {
  /** start of the hour in the campaign's timezone */
  at: Date;
  /** poll runs started in the hour, and the X requests they made */
  polls: number;
  pollRequests: number;
  /** backfill runs started in the hour */
  backfills: number;
  /** runs of any kind started in the hour that stopped on a rate limit, or failed */
  rateLimited: number;
  failed: number;
  /** runs that sent nothing because the campaign's monthly budget or X's cap was reached */
  budgetPaused: number;
  /** the least complete state among the active queries (see HourCollection) */
  collection: HourCollection;
  /** each active query's state, by query id */
  queries: Record<number, HourCollection>;
}

export interface Coverage {
  from: Date;
  to: Date;
  queries: CoverageQuery[];
  hours: CoverageHour[];
}

const hourMs = 3600_000;
const severity: HourCollection[] = ['polled', 'backfilled', 'pending', 'not_collected', 'beyond_reach'];

/**
 * For each hour of [from, to) in the campaign's timezone: the collection runs made, their rate-limit
 * pauses and failures, and how far live polling and the walk back cover the hour — so a report can
 * say how much to trust each number.
 */
export async function coverage(
  db: Db,
  campaign: Campaign,
  window: { from: Date; to: Date },
): Promise<Coverage> {
  return inSnapshot(db, async (trx) => {
    const [queries, runs] = await Promise.all([
      queryCoverage(trx, campaign),
      runsPerHour(trx, campaign, window),
    ]);
    const runsAt = new Map(runs.map((row) => [new Date(row.at).getTime(), row]));
    const byQuery: CoverageQuery[] = queries.map((row) => ({
      id: row.id,
      network: row.network,
      query: row.query,
      active: row.active,
      pollingSince: row.polling_since,
      backfillFrom: row.backfill_until_id
        ? new Date(postIdTime(row.backfill_until_id))
        : (row.polling_since ?? null),
      backfillDone: row.backfill_done,
      oldestPostHour: row.oldest_hour,
    }));
    const hours = hoursBetween(window.from, window.to, campaign.timezone).map((at) => {
      const run = runsAt.get(at.getTime());
      const states: Record<number, HourCollection> = {};
      for (const query of byQuery.filter((q) => q.active)) states[query.id] = collectionOf(query, at);
      const worst = Object.values(states).reduce<HourCollection>(
        (a, b) => (severity.indexOf(b) > severity.indexOf(a) ? b : a),
        Object.keys(states).length > 0 ? 'polled' : 'not_collected',
      );
      return {
        at,
        polls: run?.polls ?? 0,
        pollRequests: run?.poll_requests ?? 0,
        backfills: run?.backfills ?? 0,
        rateLimited: run?.rate_limited ?? 0,
        failed: run?.failed ?? 0,
        budgetPaused: run?.budget_paused ?? 0,
        collection: worst,
        queries: states,
      };
    });
    return { from: window.from, to: window.to, queries: byQuery, hours };
  });
}

function collectionOf(query: CoverageQuery, hour: Date): HourCollection {
  if (!query.pollingSince || !query.backfillFrom) return 'not_collected';
  const end = hour.getTime() + hourMs;
  if (end > query.backfillFrom.getTime()) return 'polled';
  // Only X's recent search stops 7 days back; Bluesky's search and Mastodon's timelines walk back to the start.
  if (query.network === 'x' && end <= query.pollingSince.getTime() - recentSearchReachMs)
    return 'beyond_reach';
  if (query.backfillDone) return 'backfilled';
  // The walk goes from newer to older: it has passed the hour once it holds posts from before it.
  return query.oldestPostHour && query.oldestPostHour.getTime() < hour.getTime() ? 'backfilled' : 'pending';
}
