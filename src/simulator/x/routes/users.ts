import { Hono } from 'hono';
import type { SimUser } from '../../types.ts';
import { checkPathParam, ParamReader, USER_ID_PATTERN, USERNAME_PATTERN } from '../params.ts';
import type { ResourceProblem } from '../problems.ts';
import { Renderer } from '../render.ts';
import { gate, sendJson } from '../respond.ts';
import { readUserSelection, USER_FIELD_PARAMS } from '../selection.ts';
import type { SimulatorState } from '../state.ts';

const MAX_PER_CALL = 100;

/**
 * User lookups: /2/users/by?usernames=, /2/users/by/username/:username, /2/users?ids=, /2/users/:id.
 * No `meta` on lookups; what does not resolve comes back as `errors[]` beside `data`, with HTTP 200.
 * Usernames match case-insensitively and come back in the account's own spelling.
 */
export function userRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  const limit = gate(state, 'users');

  routes.get('/users/by/username/:username', limit, (c) => {
    const username = c.req.param('username');
    checkPathParam('username', username, USERNAME_PATTERN);
    const params = new ParamReader(c.req.url, USER_FIELD_PARAMS);
    const selection = readUserSelection(params);
    params.finish();
    const user = state.userNowByUsername(username);
    if (!user) return sendJson(c, { errors: [state.userProblem('username', username, true)] });
    return sendJson(c, { data: new Renderer(state, state.clock.now(), selection).user(user) });
  });

  routes.get('/users/by', limit, (c) => {
    const params = new ParamReader(c.req.url, ['usernames', ...USER_FIELD_PARAMS]);
    const usernames = params.boundedList('usernames', USERNAME_PATTERN, MAX_PER_CALL);
    const selection = readUserSelection(params);
    params.finish();
    return sendJson(
      c,
      lookup(usernames, (name) => state.userNowByUsername(name), 'usernames', selection),
    );
  });

  routes.get('/users/:id', limit, (c) => {
    const id = c.req.param('id');
    checkPathParam('id', id, USER_ID_PATTERN);
    const params = new ParamReader(c.req.url, USER_FIELD_PARAMS);
    const selection = readUserSelection(params);
    params.finish();
    const user = state.userNow(id);
    if (!user) return sendJson(c, { errors: [state.userProblem('id', id, false)] });
    return sendJson(c, { data: new Renderer(state, state.clock.now(), selection).user(user) });
  });

  routes.get('/users', limit, (c) => {
    const params = new ParamReader(c.req.url, ['ids', ...USER_FIELD_PARAMS]);
    const ids = params.boundedList('ids', USER_ID_PATTERN, MAX_PER_CALL);
    const selection = readUserSelection(params);
    params.finish();
    return sendJson(
      c,
      lookup(ids, (id) => state.userNow(id), 'ids', selection),
    );
  });

  function lookup(
    keys: readonly string[],
    find: (key: string) => SimUser | undefined,
    parameter: string,
    selection: ReturnType<typeof readUserSelection>,
  ): { data?: unknown[]; errors?: ResourceProblem[] } {
    const render = new Renderer(state, state.clock.now(), selection);
    const found = new Map<string, SimUser>();
    const errors: ResourceProblem[] = [];
    for (const key of keys) {
      const user = find(key);
      if (user) found.set(user.id, user);
      else errors.push(state.userProblem(parameter, key, parameter === 'usernames'));
    }
    return {
      ...(found.size > 0 ? { data: [...found.values()].map((user) => render.user(user)) } : {}),
      ...(errors.length > 0 ? { errors } : {}),
    };
  }

  return routes;
}
