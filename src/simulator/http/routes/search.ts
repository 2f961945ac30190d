import { Hono } from 'hono';
import { QuerySyntaxError } from '../../query/parse.ts';
import { DAY_MS } from '../../rhythm.ts';
import { snowflakeFloor } from '../../snowflake.ts';
import type { SimPost } from '../../types.ts';
import { ParamReader } from '../params.ts';
import type { InvalidParameter } from '../problems.ts';
import { InvalidRequestError } from '../problems.ts';
import { Renderer } from '../render.ts';
import { rateLimited, sendJson } from '../respond.ts';
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
const MAX_QUERY_LENGTH = 512;
/** Recent search reaches back 7 days. */
const REACH_MS = 7 * DAY_MS;
/** Posts become searchable ~30 s after they are written. */
const INDEX_LAG_MS = 30_000;
/** X refuses an end_time closer than 10 s to the request. */
const END_TIME_MARGIN_MS = 10_000;

/**
 * GET /2/tweets/search/recent. Newest first; reposts never match (keyword search stopped returning them
 * in May 2026). `sort_order=relevancy` is accepted and answered in recency order.
 */
export function searchRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  routes.get('/tweets/search/recent', rateLimited(state.limiter, 'search'), (c) => {
    const now = state.clock.now();
    const nowMs = now.getTime();
    const params = new ParamReader(c.req.url, SEARCH_PARAMS);
    const query = params.required('query');
    if (query !== undefined && query.length > MAX_QUERY_LENGTH) {
      params.fail(
        'query',
        [query],
        `The \`query\` query parameter value [${query}] is not between 1 and ${MAX_QUERY_LENGTH} characters`,
      );
    }
    const maxResults = params.integer('max_results', 10, 100, 10);
    const sinceId = params.id('since_id');
    const untilId = params.id('until_id');
    const start = params.time('start_time');
    const end = params.time('end_time');
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

    const oldestMs = nowMs - REACH_MS;
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
    if (problems.length > 0) throw new InvalidRequestError(problems);
    let compiled: ReturnType<SimulatorState['compile']>;
    try {
      compiled = state.compile(query ?? '');
    } catch (error) {
      if (!(error instanceof QuerySyntaxError)) throw error;
      throw new InvalidRequestError([{ parameters: { query: [query ?? ''] }, message: error.message }]);
    }

    const { index } = state;
    let lo = index.firstCreatedFrom(Math.max(oldestMs, start?.ms ?? oldestMs));
    let hi = index.countCreatedBy(nowMs - INDEX_LAG_MS);
    if (end) hi = Math.min(hi, index.firstCreatedFrom(end.ms));
    if (sinceId !== undefined) lo = Math.max(lo, index.firstIdAbove(sinceId));
    if (untilId !== undefined) hi = Math.min(hi, index.firstIdFrom(untilId));
    if (cursor) hi = Math.min(hi, index.firstIdFrom(cursor.id));

    const page: SimPost[] = [];
    let more = false;
    for (let i = hi - 1; i >= lo; i--) {
      const post = index.postAt(i);
      if (post.kind === 'repost' || !compiled.test(index.target(i))) continue;
      if (page.length === maxResults) {
        more = true;
        break;
      }
      page.push(post);
    }
    const newest = page[0];
    const oldest = page[page.length - 1];
    if (!newest || !oldest) return sendJson(c, { meta: { result_count: 0 } });
    const render = new Renderer(index, now, selection);
    const includes = render.includesFor(page);
    return sendJson(c, {
      data: page.map((post) => render.post(post)),
      ...(includes ? { includes } : {}),
      meta: {
        newest_id: newest.id,
        oldest_id: oldest.id,
        result_count: page.length,
        ...(more ? { next_token: encodeToken('search', { direction: 'older', id: BigInt(oldest.id) }) } : {}),
      },
    });
  });
  return routes;
}

function timeProblem(name: string, raw: string, rule: string): InvalidParameter {
  return { parameters: { [name]: [raw] }, message: `Invalid '${name}':'${raw}'. '${name}' ${rule}` };
}

/** X writes instants in these messages to the minute: 2026-07-31T11:45Z. */
function minute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
