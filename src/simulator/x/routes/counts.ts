import { Hono } from 'hono';
import { DAY_MS } from '../../rhythm.ts';
import { ParamReader } from '../params.ts';
import { gate, sendJson } from '../respond.ts';
import type { SimulatorState } from '../state.ts';
import { decodeToken, encodeToken } from '../tokens.ts';
import { ARCHIVE, matches, RECENT, readSearchBounds, type SearchReach } from './search.ts';

const COUNTS_PARAMS = [
  'query',
  'start_time',
  'end_time',
  'since_id',
  'until_id',
  'next_token',
  'pagination_token',
  'granularity',
  'search_count.fields',
];
const GRANULARITY_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** Without an end_time the counts stop 10 s before the request, to the second (as in X's captures). */
const DEFAULT_END_LAG_MS = 10_000;
/** The archive's counts come 31 days a page, newest page first; `next_token` goes back in time. */
const ARCHIVE_PAGE_MS = 31 * DAY_MS;

/**
 * GET /2/tweets/counts/recent and /2/tweets/counts/all: how many posts match the query per minute, hour
 * (default) or day, with the same matching as search (reposts excluded). Recent counts cover the last 7
 * days in one page; archive counts default to the last 30 days, reach back to 2006, and page 31 days at a
 * time with `next_token`, newest page first. Buckets follow UTC boundaries, except the first and last,
 * which start and end with the requested span; empty buckets are listed.
 */
export function countRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  for (const [path, reach, family] of [
    ['/tweets/counts/recent', RECENT, 'counts'],
    ['/tweets/counts/all', ARCHIVE, 'countsAll'],
  ] as const) {
    routes.get(path, gate(state, family), (c) => {
      const nowMs = state.clock.now().getTime();
      const params = new ParamReader(c.req.url, COUNTS_PARAMS);
      const bounds = readSearchBounds(params, reach, state);
      const granularity = params.list('granularity', ['minute', 'hour', 'day'])[0] ?? 'hour';
      params.list('search_count.fields', ['end', 'start', 'tweet_count']);
      let pageEndMs: number | undefined;
      for (const name of ['next_token', 'pagination_token']) {
        const token = params.string(name);
        if (token === undefined) continue;
        // Recent counts fit one page: X issues no token for them, so none can be valid there.
        const cursor = reach === ARCHIVE ? decodeToken('counts', token) : undefined;
        if (!cursor) {
          params.fail(name, [token], `The \`${name}\` query parameter value [${token}] is not a valid token`);
        } else pageEndMs = Number(cursor.id);
      }
      params.finish();
      const found = bounds.resolve(nowMs);
      const endMs = found.end?.ms ?? Math.floor((nowMs - DEFAULT_END_LAG_MS) / 1000) * 1000;
      const startMs = found.start?.ms ?? endMs - defaultSpanMs(reach);
      const step = GRANULARITY_MS[granularity as keyof typeof GRANULARITY_MS];
      const pageEnd = Math.min(endMs, pageEndMs ?? endMs);
      const pageStart = reach === ARCHIVE ? Math.max(startMs, pageEnd - ARCHIVE_PAGE_MS) : startMs;
      const buckets = countBuckets(state, found, { startMs: pageStart, endMs: pageEnd, step, nowMs });
      const iso = (ms: number) => new Date(ms).toISOString();
      return sendJson(c, {
        data: buckets.map((bucket) => ({
          end: iso(bucket.endMs),
          start: iso(bucket.startMs),
          tweet_count: bucket.count,
        })),
        meta: {
          total_tweet_count: buckets.reduce((sum, bucket) => sum + bucket.count, 0),
          ...(pageStart > startMs
            ? { next_token: encodeToken('counts', { direction: 'older', id: BigInt(pageStart) }) }
            : {}),
        },
      });
    });
  }
  return routes;
}

function defaultSpanMs(reach: SearchReach): number {
  return reach.reachMs ?? reach.defaultLookbackMs;
}

function countBuckets(
  state: SimulatorState,
  found: ReturnType<ReturnType<typeof readSearchBounds>['resolve']>,
  span: { startMs: number; endMs: number; step: number; nowMs: number },
) {
  const { startMs, endMs, step, nowMs } = span;
  const edges: number[] = [startMs];
  for (let edge = (Math.floor(startMs / step) + 1) * step; edge < endMs; edge += step) edges.push(edge);
  edges.push(endMs);
  const counts = new Array<number>(edges.length - 1).fill(0);
  const { index } = state;
  let lo = index.firstCreatedFrom(startMs);
  if (found.sinceId !== undefined) lo = Math.max(lo, index.firstIdAbove(found.sinceId));
  const hi = Math.min(found.hi, index.firstCreatedFrom(endMs));
  let bucket = 0;
  for (let i = lo; i < hi; i++) {
    if (!matches(state, found, i, nowMs)) continue;
    const ms = index.createdMsAt(i);
    while (bucket < counts.length - 1 && ms >= (edges[bucket + 1] ?? endMs)) bucket++;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  return counts.map((count, k) => ({ startMs: edges[k] ?? startMs, endMs: edges[k + 1] ?? endMs, count }));
}
