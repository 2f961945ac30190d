import { Hono } from 'hono';
import type { Clock } from '../../clock.ts';
import type { Scenario } from '../types.ts';
import { INTERNAL_ERROR_BODY, InvalidRequestError, NOT_FOUND_BODY } from './problems.ts';
import { type EndpointName, RateLimiter } from './rate-limit.ts';
import { bearerAuth, sendJson, sendProblem } from './respond.ts';
import { searchRoutes } from './routes/search.ts';
import { timelineRoutes } from './routes/timelines.ts';
import { tweetRoutes } from './routes/tweets.ts';
import { userRoutes } from './routes/users.ts';
import { ScenarioIndex } from './scenario-index.ts';
import { createState } from './state.ts';

export interface SimulatorAppOptions {
  scenario: Scenario;
  clock: Clock;
  bearerToken: string;
  /** Requests per 15 minutes per endpoint family; unset ones keep Pro-tier-like defaults. */
  rateLimits?: Partial<Record<EndpointName, number>>;
  /** Wall clock for the rate-limit windows (tests step it); defaults to Date.now. */
  realNow?: () => number;
  /** Called with errors that become a 500; defaults to console.error so a simulator bug is never silent. */
  onUnexpectedError?: (error: unknown) => void;
}

/**
 * The X API v2 simulator as a Hono app, for `app.request()` in tests or any server adapter.
 * Routes live under /2/ like X's; everything there needs the bearer token.
 */
export function createSimulatorApp(options: SimulatorAppOptions): Hono {
  const state = createState(
    new ScenarioIndex(options.scenario),
    options.clock,
    new RateLimiter(options.rateLimits, options.realNow),
  );
  const reportError = options.onUnexpectedError ?? ((error: unknown) => console.error(error));
  const app = new Hono();
  app.use('/2/*', bearerAuth(options.bearerToken));
  // Order matters where paths overlap: /2/users/by before /2/users/:id.
  app.route('/2', searchRoutes(state));
  app.route('/2', tweetRoutes(state));
  app.route('/2', timelineRoutes(state));
  app.route('/2', userRoutes(state));
  app.notFound((c) => sendProblem(c, NOT_FOUND_BODY, 404));
  app.onError((error, c) => {
    if (error instanceof InvalidRequestError) return sendJson(c, error.body, 400);
    reportError(error);
    return sendProblem(c, INTERNAL_ERROR_BODY, 500);
  });
  return app;
}
