import { Hono } from 'hono';
import type { SimPost } from '../../types.ts';
import { checkPathParam, ParamReader, USER_ID_PATTERN } from '../params.ts';
import { Renderer } from '../render.ts';
import { gate, sendJson } from '../respond.ts';
import { POST_FIELD_PARAMS, readPostSelection } from '../selection.ts';
import type { SimulatorState } from '../state.ts';
import { decodeToken, encodeToken } from '../tokens.ts';

const TIMELINE_PARAMS = [
  'since_id',
  'until_id',
  'max_results',
  'pagination_token',
  'exclude',
  'start_time',
  'end_time',
  ...POST_FIELD_PARAMS,
];
/** X serves a user's 3,200 most recent posts, and only 800 once replies are excluded. */
const REACH = 3200;
const REACH_WITHOUT_REPLIES = 800;

/**
 * GET /2/users/:id/tweets: the user's posts including reposts, newest first, paged with
 * `pagination_token` (not `next_token`); meta carries `next_token` and `previous_token`.
 */
export function timelineRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  routes.get('/users/:id/tweets', gate(state, 'timelines'), (c) => {
    const userId = c.req.param('id');
    checkPathParam('id', userId, USER_ID_PATTERN);
    const now = state.clock.now();
    const params = new ParamReader(c.req.url, TIMELINE_PARAMS);
    const maxResults = params.integer('max_results', 5, 100, 10);
    const sinceId = params.id('since_id');
    const untilId = params.id('until_id');
    const start = params.time('start_time');
    const end = params.time('end_time');
    const exclude = new Set(params.list('exclude', ['replies', 'retweets']));
    const token = params.string('pagination_token');
    const cursor = token === undefined ? undefined : decodeToken('timeline', token);
    if (token !== undefined && !cursor) {
      params.fail(
        'pagination_token',
        [token],
        `The \`pagination_token\` query parameter value [${token}] is not a valid token`,
      );
    }
    const selection = readPostSelection(params);
    params.finish();

    const { index } = state;
    const user = state.userNow(userId);
    if (!user) {
      // X answers an unknown or suspended user with a 200 and a partial error; meta is kept so paginators
      // stay usable.
      return sendJson(c, { errors: [state.userProblem('id', userId, false)], meta: { result_count: 0 } });
    }

    // The reach is fixed first (most recent posts as of now), then filters apply within it.
    const nowMs = now.getTime();
    const positions = index.postsOf(user.id);
    let count = 0;
    while (count < positions.length && index.createdMsAt(positions[count] ?? 0) <= nowMs) count++;
    const eligible: SimPost[] = [];
    for (let k = count - 1, reached = 0; k >= 0 && reached < REACH; k--) {
      const post = index.postAt(positions[k] ?? 0);
      if (!state.visible(post, nowMs)) continue;
      reached++;
      if (exclude.has('replies') && post.kind === 'reply') continue;
      if (exclude.has('retweets') && post.kind === 'repost') continue;
      eligible.push(post);
      if (exclude.has('replies') && eligible.length === REACH_WITHOUT_REPLIES) break;
    }
    const inBounds = eligible.filter((post) => {
      const id = BigInt(post.id);
      const ms = post.createdAt.getTime();
      return (
        (sinceId === undefined || id > sinceId) &&
        (untilId === undefined || id < untilId) &&
        (start === undefined || ms >= start.ms) &&
        (end === undefined || ms < end.ms)
      );
    });

    let from = 0;
    if (cursor?.direction === 'older') {
      from = inBounds.findIndex((post) => BigInt(post.id) < cursor.id);
      if (from < 0) from = inBounds.length;
    } else if (cursor?.direction === 'newer') {
      // The page just above the cursor: the posts closest to it, still listed newest first.
      let above = inBounds.findIndex((post) => BigInt(post.id) <= cursor.id);
      if (above < 0) above = inBounds.length;
      from = Math.max(0, above - maxResults);
      return respond(inBounds.slice(from, above), above < inBounds.length);
    }
    return respond(inBounds.slice(from, from + maxResults), from + maxResults < inBounds.length);

    function respond(page: SimPost[], more: boolean): Response {
      const newest = page[0];
      const oldest = page[page.length - 1];
      if (!newest || !oldest) return sendJson(c, { meta: { result_count: 0 } });
      state.usage.record(
        'timelines',
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
          ...(more
            ? { next_token: encodeToken('timeline', { direction: 'older', id: BigInt(oldest.id) }) }
            : {}),
          oldest_id: oldest.id,
          previous_token: encodeToken('timeline', { direction: 'newer', id: BigInt(newest.id) }),
          result_count: page.length,
        },
      });
    }
  });
  return routes;
}
