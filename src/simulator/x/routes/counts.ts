import { Hono } from 'hono';
import { ParamReader } from '../params.ts';
import { gate, sendJson } from '../respond.ts';
import type { SimulatorState } from '../state.ts';
import { decodeToken } from '../tokens.ts';
import { matches, RECENT, readSearchBounds } from './search.ts';

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

/**
 * GET /2/tweets/counts/recent: how many posts match the query per minute, hour (default) or day over the
 * last 7 days, with the same matching as recent search (reposts excluded). Buckets follow UTC boundaries,
 * except the first and last, which start and end with the requested span; empty buckets are listed.
 */
export function countRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  routes.get('/tweets/counts/recent', gate(state, 'counts'), (c) => {
    const nowMs = state.clock.now().getTime();
    const params = new ParamReader(c.req.url, COUNTS_PARAMS);
    const bounds = readSearchBounds(params, RECENT, state);
    const granularity = params.list('granularity', ['minute', 'hour', 'day'])[0] ?? 'hour';
    params.list('search_count.fields', ['end', 'start', 'tweet_count']);
    for (const name of ['next_token', 'pagination_token']) {
      const token = params.string(name);
      // Recent counts fit one page: X issues no token for them, so none can be valid.
      if (token !== undefined && !decodeToken('search', token)) {
        params.fail(name, [token], `The \`${name}\` query parameter value [${token}] is not a valid token`);
      }
    }
    params.finish();
    const found = bounds.resolve(nowMs);
    const endMs = found.end?.ms ?? Math.floor((nowMs - DEFAULT_END_LAG_MS) / 1000) * 1000;
    const startMs = found.start?.ms ?? endMs - (RECENT.reachMs ?? 0);
    const step = GRANULARITY_MS[granularity as keyof typeof GRANULARITY_MS];

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
    const iso = (ms: number) => new Date(ms).toISOString();
    return sendJson(c, {
      data: counts.map((count, k) => ({
        end: iso(edges[k + 1] ?? endMs),
        start: iso(edges[k] ?? startMs),
        tweet_count: count,
      })),
      meta: { total_tweet_count: counts.reduce((sum, count) => sum + count, 0) },
    });
  });
  return routes;
}
