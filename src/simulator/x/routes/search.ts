import { Hono } from 'hono';
import { DAY_MS } from '../../rhythm.ts';
import { snowflakeFloor } from '../../snowflake.ts';
import type { SimPost } from '../../types.ts';
import { ParamReader, type TimeParam } from '../params.ts';
import { type InvalidParameter, InvalidRequestError } from '../problems.ts';
import type { CompiledQuery, UserResolver } from '../query/match.ts';
import { QuerySyntaxError } from '../query/parse.ts';
import type { EndpointName } from '../rate-limit.ts';
import { Renderer } from '../render.ts';
import { gate, sendJson } from '../respond.ts';
import { POST_FIELD_PARAMS, readPostSelection } from '../selection.ts';
import type { SimulatorState } from '../state.ts';
import { decodeToken, encodeToken } from '../tokens.ts';

/** In X's order: its 400 for an unknown parameter lists them like this. */
const SEARCH_PARAMS = [
  'query',
  'start_time',
  'end_time',
  'since_id',
  'until_id',
  'max_results',
  'next_token',
  'pagination_token',
  'sort_order',
  ...POST_FIELD_PARAMS,
];
/** Posts become searchable ~30 s after they are written. */
export const INDEX_LAG_MS = 30_000;
/** X refuses an end_time closer than 10 s to the request. */
const END_TIME_MARGIN_MS = 10_000;
/** The archive starts with the first post ever. */
const ARCHIVE_START_MS = Date.parse('2006-03-21T00:00:00Z');

/** What differs between recent search (and counts) and the full archive. */
export interface SearchReach {
  family: EndpointName;
  maxQueryLength: number;
  /** How far back the endpoint reaches at all (recent: 7 days); undefined for the archive. */
  reachMs: number | undefined;
  /** Where results start when the request names no start (archive: the last 30 days). */
  defaultLookbackMs: number;
}

export const RECENT: SearchReach = {
  family: 'search',
  maxQueryLength: 512,
  reachMs: 7 * DAY_MS,
  defaultLookbackMs: 7 * DAY_MS,
};
export const ARCHIVE: SearchReach = {
  family: 'searchAll',
  maxQueryLength: 1024,
  reachMs: undefined,
  defaultLookbackMs: 30 * DAY_MS,
};

/** A search request's bounds, checked the way X checks them. */
export interface SearchBounds {
  query: string;
  compiled: CompiledQuery;
  users: UserResolver | undefined;
  start: TimeParam | undefined;
  end: TimeParam | undefined;
  sinceId: bigint | undefined;
  untilId: bigint | undefined;
  /** Positions [lo, hi) of the posts the request may return, before the query and visibility filters. */
  lo: number;
  hi: number;
}

/**
 * Reads `query`, `start_time`, `end_time`, `since_id`, `until_id` (call before `params.finish()`), then,
 * once the parameters are known valid, `resolve()` checks them against the reach and finds the slice.
 */
export function readSearchBounds(params: ParamReader, reach: SearchReach, state: SimulatorState) {
  const query = params.required('query');
  if (query !== undefined && query.length > reach.maxQueryLength) {
    params.fail(
      'query',
      [query],
      `The \`query\` query parameter value [${query}] is not between 1 and ${reach.maxQueryLength} characters`,
    );
  }
  const sinceId = params.id('since_id');
  const untilId = params.id('until_id');
  const start = params.time('start_time');
  const end = params.time('end_time');
  return {
    resolve(nowMs: number): SearchBounds {
      const oldestMs = reach.reachMs === undefined ? ARCHIVE_START_MS : nowMs - reach.reachMs;
      const problems: InvalidParameter[] = [];
      if (start && start.ms < oldestMs) {
        problems.push(timeProblem('start_time', start.raw, `must be on or after ${minute(oldestMs)}`));
      }
      if (end && end.ms > nowMs - END_TIME_MARGIN_MS) {
        problems.push(
          timeProblem('end_time', end.raw, 'must be a minimum of 10 seconds prior to the request time.'),
        );
      }
      if (start && end && start.ms >= end.ms) {
        problems.push(timeProblem('start_time', start.raw, "must be before 'end_time'"));
      }
      // X takes a request's bounds either as ids or as instants, never both at once.
      for (const [idName, id] of [
        ['since_id', sinceId],
        ['until_id', untilId],
      ] as const) {
        for (const [timeName, time] of [
          ['start_time', start],
          ['end_time', end],
        ] as const) {
          if (id !== undefined && time) {
            problems.push({
              parameters: { [idName]: [id.toString()], [timeName]: [time.raw] },
              message: `The \`${idName}\` query parameter can not be used with the \`${timeName}\` query parameter`,
            });
          }
        }
      }
      if (reach.reachMs !== undefined) {
        const oldestId = snowflakeFloor(oldestMs);
        for (const [name, id] of [
          ['since_id', sinceId],
          ['until_id', untilId],
        ] as const) {
          if (id !== undefined && id < oldestId) {
            problems.push({
              parameters: { [name]: [id.toString()] },
              message: `'${name}' must be a tweet id created after ${minute(oldestMs)}. Please use a '${name}' that is larger than ${oldestId}`,
            });
          }
        }
      }
      if (problems.length > 0) throw new InvalidRequestError(problems);
      let compiled: CompiledQuery;
      try {
        compiled = state.compile(query ?? '');
      } catch (error) {
        if (!(error instanceof QuerySyntaxError)) throw error;
        throw new InvalidRequestError([{ parameters: { query: [query ?? ''] }, message: error.message }]);
      }
      const { index } = state;
      const defaultStartMs = sinceId === undefined ? nowMs - reach.defaultLookbackMs : oldestMs;
      let lo = index.firstCreatedFrom(Math.max(oldestMs, start?.ms ?? defaultStartMs));
      let hi = index.countCreatedBy(nowMs - INDEX_LAG_MS);
      if (end) hi = Math.min(hi, index.firstCreatedFrom(end.ms));
      if (sinceId !== undefined) lo = Math.max(lo, index.firstIdAbove(sinceId));
      if (untilId !== undefined) hi = Math.min(hi, index.firstIdFrom(untilId));
      return {
        query: query ?? '',
        compiled,
        users: state.resolver(nowMs),
        start,
        end,
        sinceId,
        untilId,
        lo,
        hi,
      };
    },
  };
}

/** Whether the post at `position` is a search result: visible, not a repost, matching the query. */
export function matches(
  state: SimulatorState,
  bounds: SearchBounds,
  position: number,
  nowMs: number,
): boolean {
  const post = state.index.postAt(position);
  // Keyword search stopped returning reposts in May 2026: they reach collectors through timelines only.
  if (post.kind === 'repost') return false;
  return bounds.compiled.test(state.index.target(position), bounds.users) && state.visible(post, nowMs);
}

/**
 * GET /2/tweets/search/recent (7 days, max_results 10–100) and /2/tweets/search/all (the archive,
 * max_results 10–500, on tiers that include it). Newest first, paged with `next_token` (or
 * `pagination_token`, which X also accepts). `sort_order=relevancy` is accepted and answered in recency order.
 */
export function searchRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  for (const [path, reach, maxResults] of [
    ['/tweets/search/recent', RECENT, 100],
    ['/tweets/search/all', ARCHIVE, 500],
  ] as const) {
    routes.get(path, gate(state, reach.family), (c) => {
      const now = state.clock.now();
      const nowMs = now.getTime();
      const params = new ParamReader(c.req.url, SEARCH_PARAMS);
      const bounds = readSearchBounds(params, reach, state);
      const pageSize = params.integer('max_results', 10, maxResults, 10);
      params.list('sort_order', ['recency', 'relevancy']);
      const tokenName = params.string('next_token') !== undefined ? 'next_token' : 'pagination_token';
      const token = params.string(tokenName);
      const cursor = token === undefined ? undefined : decodeToken('search', token);
      if (token !== undefined && cursor?.direction !== 'older') {
        params.fail(
          tokenName,
          [token],
          `The \`${tokenName}\` query parameter value [${token}] is not a valid token`,
        );
      }
      const selection = readPostSelection(params);
      params.finish();
      const found = bounds.resolve(nowMs);
      const hi = cursor ? Math.min(found.hi, state.index.firstIdFrom(cursor.id)) : found.hi;

      const page: SimPost[] = [];
      let more = false;
      for (let i = hi - 1; i >= found.lo; i--) {
        if (!matches(state, found, i, nowMs)) continue;
        if (page.length === pageSize) {
          more = true;
          break;
        }
        page.push(state.index.postAt(i));
      }
      const newest = page[0];
      const oldest = page[page.length - 1];
      if (!newest || !oldest) return sendJson(c, { meta: { result_count: 0 } });
      state.usage.record(
        reach.family,
        page.map((post) => post.id),
      );
      const render = new Renderer(state, now, selection);
      const { includes, errors } = render.includesFor(page);
      return sendJson(c, {
        data: page.map((post) => render.post(post)),
        ...(includes ? { includes } : {}),
        ...(errors.length > 0 ? { errors } : {}),
        meta: {
          newest_id: newest.id,
          oldest_id: oldest.id,
          result_count: page.length,
          ...(more
            ? { next_token: encodeToken('search', { direction: 'older', id: BigInt(oldest.id) }) }
            : {}),
        },
      });
    });
  }
  return routes;
}

function timeProblem(name: string, raw: string, rule: string): InvalidParameter {
  return { parameters: { [name]: [raw] }, message: `Invalid '${name}':'${raw}'. '${name}' ${rule}` };
}

/** X writes instants in these messages to the minute: 2026-07-31T11:45Z. */
function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
