import { Hono } from 'hono';
import type { Clock } from '../../clock.ts';
import { type FaultOptions, type FaultPlan, planFaults } from '../faults.ts';
import { createRandom } from '../random.ts';
import type { Scenario } from '../types.ts';
import { INTERNAL_ERROR_BODY, InvalidRequestError, NOT_FOUND_BODY } from './problems.ts';
import { type EndpointName, RateLimiter } from './rate-limit.ts';
import { bearerAuth, sendJson, sendProblem } from './respond.ts';
import { avatarRoutes } from './routes/avatars.ts';
import { countRoutes } from './routes/counts.ts';
import { searchRoutes } from './routes/search.ts';
import { timelineRoutes } from './routes/timelines.ts';
import { tweetRoutes } from './routes/tweets.ts';
import { usageRoutes } from './routes/usage.ts';
import { userRoutes } from './routes/users.ts';
import { ScenarioIndex } from './scenario-index.ts';
import { type LoggedRequest, SimulatorState, type SimulatorStats } from './state.ts';
import { type AccessTier, TIERS, UNTIERED } from './tiers.ts';
import { TransportFaults } from './transport-faults.ts';
import { UsageMeter } from './usage.ts';

export interface SimulatorAppOptions {
  scenario: Scenario;
  clock: Clock;
  bearerToken: string;
  /**
   * X's access tier: its request limits, the endpoints it includes (Basic lacks the archive search and
   * counts: 403 client-not-enrolled) and its monthly post cap. Unset: generous Pro-like limits, every
   * endpoint, a cap nobody reaches.
   */
  tier?: AccessTier;
  /** Requests per 15 minutes per endpoint family, over the tier's (each endpoint has its own window). */
  rateLimits?: Partial<Record<EndpointName, number>>;
  /** Posts a month, over the tier's cap; the 429 UsageCapExceeded answers once it is reached. */
  monthlyPostCap?: number;
  /** Day of the month (UTC, 1–28) when the monthly count restarts; default 1. */
  capResetDay?: number;
  /**
   * Length of every rate-limit window in real ms; X's is 15 minutes (the default). Tests shorten it to
   * meet resets without waiting a quarter of an hour.
   */
  rateLimitWindowMs?: number;
  /** Least real time between two archive searches; X allows one per second (the default). 0: no limit. */
  archiveSearchIntervalMs?: number;
  /** Faults on demand (see FaultOptions); none by default. */
  faults?: FaultOptions;
  /** Wall clock for the rate-limit windows, the archive's per-second rule and usage (tests step it); defaults to Date.now. */
  realNow?: () => number;
  /** Called with errors that become a 500; defaults to console.error so a simulator bug is never silent. */
  onUnexpectedError?: (error: unknown) => void;
}

/** The app with what tests and the server read beside it. */
export interface Simulator {
  app: Hono;
  /** The data faults in force: which posts and accounts change, and when. */
  faults: FaultPlan;
  stats(): SimulatorStats;
  /** The latest requests, oldest first, with the rate limit each was told. */
  requestLog(): LoggedRequest[];
}

/**
 * The X API v2 simulator as a Hono app, for `app.request()` in tests or any server adapter.
 * Routes live under /2/ like X's; everything there needs the bearer token.
 */
export function createSimulatorApp(options: SimulatorAppOptions): Hono {
  return createSimulator(options).app;
}

export function createSimulator(options: SimulatorAppOptions): Simulator {
  const realNow = options.realNow ?? Date.now;
  const tier = options.tier === undefined ? UNTIERED : TIERS[options.tier];
  if (!tier) throw new RangeError(`unknown access tier ${options.tier}`);
  const ids = createRandom(options.scenario.seed, 'project');
  const numericId = (digits: number) =>
    String(1 + ids.int(9)) + Array.from({ length: digits - 1 }, () => ids.int(10)).join('');
  const plan = planFaults(options.scenario, options.faults);
  const state = new SimulatorState({
    index: new ScenarioIndex(options.scenario),
    clock: options.clock,
    limiter: new RateLimiter(
      { ...tier.limits, ...options.rateLimits },
      realNow,
      {
        searchAll: options.archiveSearchIntervalMs ?? 1000,
      },
      options.rateLimitWindowMs,
    ),
    usage: new UsageMeter({
      policy: tier,
      cap: options.monthlyPostCap ?? tier.monthlyPostCap,
      resetDay: options.capResetDay ?? 1,
      realNow,
      projectId: numericId(19),
      clientAppId: numericId(8),
    }),
    tier,
    transport: new TransportFaults(options.faults ?? {}, options.scenario.seed),
    plan,
    accountId: numericId(19),
    realNow,
  });
  const reportError = options.onUnexpectedError ?? ((error: unknown) => console.error(error));
  const app = new Hono();
  app.use(async (c, next) => {
    state.origin = new URL(c.req.url).origin;
    await next();
  });
  app.route('/', avatarRoutes(state));
  app.use('/2/*', bearerAuth(options.bearerToken));
  // Order matters where paths overlap: /2/users/by before /2/users/:id.
  app.route('/2', searchRoutes(state));
  app.route('/2', countRoutes(state));
  app.route('/2', tweetRoutes(state));
  app.route('/2', timelineRoutes(state));
  app.route('/2', userRoutes(state));
  app.route('/2', usageRoutes(state));
  app.notFound((c) => sendProblem(c, NOT_FOUND_BODY, 404));
  app.onError((error, c) => {
    if (error instanceof InvalidRequestError) return sendJson(c, error.body, 400);
    reportError(error);
    return sendProblem(c, INTERNAL_ERROR_BODY, 500);
  });
  return { app, faults: plan, stats: () => state.stats(), requestLog: () => state.requestLog() };
}
