import { Hono } from 'hono';
import type { SimPost } from '../../types.ts';
import { checkPathParam, ParamReader, POST_ID_PATTERN } from '../params.ts';
import { type ResourceProblem, resourceNotFound } from '../problems.ts';
import { Renderer } from '../render.ts';
import { gate, sendJson } from '../respond.ts';
import { POST_FIELD_PARAMS, readPostSelection } from '../selection.ts';
import type { SimulatorState } from '../state.ts';

const MAX_PER_CALL = 100;

/**
 * Post lookups: /2/tweets?ids= and /2/tweets/:id, with metrics as of now (how the tracker refreshes
 * engagement). A post not yet written at the simulated instant does not exist.
 */
export function tweetRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  const limit = gate(state, 'tweets');

  routes.get('/tweets', limit, (c) => {
    const params = new ParamReader(c.req.url, ['ids', ...POST_FIELD_PARAMS]);
    const ids = params.boundedList('ids', POST_ID_PATTERN, MAX_PER_CALL);
    const selection = readPostSelection(params);
    params.finish();
    const found = new Map<string, SimPost>();
    const errors: ResourceProblem[] = [];
    for (const id of ids) {
      const post = state.postNow(id);
      if (post) found.set(post.id, post);
      else errors.push(resourceNotFound('tweet', 'ids', id));
    }
    const render = new Renderer(state, state.clock.now(), selection);
    const posts = [...found.values()];
    state.usage.record(
      'tweets',
      posts.map((post) => post.id),
    );
    const expanded = render.includesFor(posts);
    errors.push(...expanded.errors);
    return sendJson(c, {
      ...(posts.length > 0 ? { data: posts.map((post) => render.post(post)) } : {}),
      ...(expanded.includes ? { includes: expanded.includes } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    });
  });

  routes.get('/tweets/:id', limit, (c) => {
    const id = c.req.param('id');
    checkPathParam('id', id, POST_ID_PATTERN);
    const params = new ParamReader(c.req.url, POST_FIELD_PARAMS);
    const selection = readPostSelection(params);
    params.finish();
    const post = state.postNow(id);
    if (!post) return sendJson(c, { errors: [resourceNotFound('tweet', 'id', id)] });
    state.usage.record('tweets', [post.id]);
    const render = new Renderer(state, state.clock.now(), selection);
    const { includes, errors } = render.includesFor([post]);
    return sendJson(c, {
      data: render.post(post),
      ...(includes ? { includes } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    });
  });

  return routes;
}
