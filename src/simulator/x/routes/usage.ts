import { Hono } from 'hono';
import { ParamReader } from '../params.ts';
import { gate, sendJson } from '../respond.ts';
import type { SimulatorState } from '../state.ts';

const USAGE_FIELDS = [
  'cap_reset_day',
  'daily_client_app_usage',
  'daily_project_usage',
  'project_cap',
  'project_id',
  'project_usage',
];

/**
 * GET /2/usage/tweets: the project's posts read this month against its cap, with the daily breakdown on
 * request (`usage.fields=daily_project_usage,daily_client_app_usage`, over `days` 1–90, default 7).
 */
export function usageRoutes(state: SimulatorState): Hono {
  const routes = new Hono();
  routes.get('/usage/tweets', gate(state, 'usage'), (c) => {
    const params = new ParamReader(c.req.url, ['days', 'usage.fields']);
    const days = params.integer('days', 1, 90, 7);
    const fields = new Set(params.list('usage.fields', USAGE_FIELDS));
    params.finish();
    return sendJson(c, { data: state.usage.report(days, fields) });
  });
  return routes;
}
