import type { Context } from 'hono';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Clock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { campaignUpdatedChannel, defaultPrefix } from '../../src/jobs/queue-names.ts';
import type { ErrorJson } from '../api-contract.ts';
import { renderErrorPage } from '../views/error-page.tsx';
import { detectLanguage } from '../views/language.ts';
import { buildAssets } from './client-bundle.ts';
import { createLeaderboardCache, type LeaderboardCacheOptions } from './leaderboard-cache.ts';
import { relayCampaignUpdates } from './live-events.ts';
import { ApiError, codeOf } from './middleware/errors.ts';
import { type RateLimitOptions, rateLimit } from './middleware/rate-limit.ts';
import { connectOpsRedis } from './ops-redis.ts';
import type { DashboardQueues } from './queue-inspection.ts';
import { adminRoutes } from './routes/admin.ts';
import { apiRoutes } from './routes/api.ts';
import { apiDocRoutes } from './routes/api-docs.tsx';
import { assetRoutes } from './routes/assets.ts';
import { avatarRoutes } from './routes/avatars.ts';
import { campaignFileRoutes } from './routes/campaign-file.ts';
import type { DashboardContext } from './routes/context.ts';
import { eventRoutes } from './routes/events.ts';
import { exportRoutes } from './routes/export.ts';
import { healthRoutes } from './routes/health.ts';
import { opsRoutes } from './routes/ops.tsx';
import { pageRoutes } from './routes/pages.tsx';
import { queueBoardPath, queueBoardRoutes } from './routes/queue-board.ts';
import { reportRoutes } from './routes/report.tsx';

export interface DashboardDeps {
  db: Db;
  clock: Clock;
  /** collecting from the built-in simulator: the pages say the data is simulated */
  demo: boolean;
  log?: Logger | undefined;
  /** the workers' Redis: their writes reach the pages as Server-Sent Events; unset, pages poll */
  redisUrl?: string | undefined;
  /** the workers' BullMQ prefix, which their update channel and X counters live under (default: the queues' own, else `bull`) */
  prefix?: string | undefined;
  /** the collection queues: operations page, BullMQ board and admin actions */
  queues?: DashboardQueues | undefined;
  /** ADMIN_TOKEN: guards every write route; unset, the dashboard is read-only */
  adminToken?: string | undefined;
  /** period of the SSE keep-alive comments (tests shorten it) */
  heartbeatMs?: number | undefined;
  /** how long leaderboards are kept (dashboard/server/leaderboard-cache.ts); tests that write behind its back shorten it */
  leaderboardCache?: Omit<LeaderboardCacheOptions, 'db' | 'clock' | 'live'> | undefined;
  /** per client address on /api/v1, event streams excepted (default 600 a minute); false: off */
  rateLimit?: RateLimitOptions | false | undefined;
}

/** The Hono app, plus `close()`: it ends the live streams and the Redis subscription. */
export type Dashboard = Hono & { close(): Promise<void> };

/** The dashboard: JSON API under /api/v1, pages, assets and health. Serve it with `serveDashboard`. */
export function createDashboard(deps: DashboardDeps): Dashboard {
  // Bundle the browser code now rather than on the first page view; a failure is logged here and
  // retried (and reported) by the first request that needs the assets.
  buildAssets().catch((error: unknown) =>
    deps.log?.error({ err: error }, 'cannot bundle the dashboard assets'),
  );
  const prefix = deps.prefix ?? deps.queues?.search.opts.prefix ?? defaultPrefix;
  const live = deps.redisUrl
    ? relayCampaignUpdates({
        redisUrl: deps.redisUrl,
        channel: campaignUpdatedChannel(prefix),
        clock: deps.clock,
        log: deps.log,
      })
    : undefined;
  const leaderboards = createLeaderboardCache({
    db: deps.db,
    clock: deps.clock,
    live,
    ...deps.leaderboardCache,
  });
  const redis = deps.redisUrl ? connectOpsRedis(deps.redisUrl) : undefined;
  const context: DashboardContext = {
    ...deps,
    prefix,
    live,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    leaderboards,
    redis,
  };

  const app = new Hono();
  app.use(detectLanguage);
  const pageHeaders = secureHeaders({ contentSecurityPolicy: contentSecurityPolicy(false) });
  const boardHeaders = secureHeaders({ contentSecurityPolicy: contentSecurityPolicy(true) });
  app.use((c, next) => (c.req.path.startsWith(queueBoardPath) ? boardHeaders : pageHeaders)(c, next));
  // Pages and JSON; the bundle is served compressed already and event streams are left alone.
  app.use(compress());
  // An open event stream is one request that lasts; reconnections are paced by `retry`.
  const rateLimited = (path: string) =>
    deps.rateLimit !== false && path.startsWith('/api/v1/') && !path.endsWith('/events');
  if (deps.rateLimit !== false) {
    const limiter = rateLimit(deps.rateLimit ?? { perMinute: 600 });
    app.use('/api/v1/*', (c, next) => (rateLimited(c.req.path) ? limiter(c, next) : next()));
  }

  app.route('/', healthRoutes(context));
  app.route('/', assetRoutes());
  app.route('/', avatarRoutes(context));
  app.route('/api/v1', apiRoutes(context));
  app.route('/api/v1', eventRoutes(context));
  app.route('/api/v1', adminRoutes(context));
  app.route('/api/v1', campaignFileRoutes(context));
  app.route('/api/v1', exportRoutes(deps));
  app.route('/', apiDocRoutes(app, { demo: deps.demo, rateLimited }));
  app.route('/', reportRoutes(context));
  app.route('/', queueBoardRoutes(deps));
  app.route('/', opsRoutes(context));
  app.route('/', pageRoutes(context));

  const respondError = async (c: Context, error: HTTPException, code: string, message: string) => {
    const status = error.status as ContentfulStatusCode;
    const response = isMachinePath(c.req.path)
      ? c.json<ErrorJson>({ error: { code, message } }, status)
      : await renderErrorPage(c, status, message, deps.demo, code);
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value);
    }
    return response;
  };

  app.notFound((c) =>
    respondError(c, new HTTPException(404), 'not_found', `no route for ${c.req.method} ${c.req.path}`),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException) return respondError(c, error, codeOf(error), error.message);
    deps.log?.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return respondError(c, new HTTPException(500), 'internal', 'internal error');
  });

  return Object.assign(app, {
    async close() {
      await live?.close();
      redis?.close();
    },
  });
}

/** BullMQ's board styles elements inline and sets a <base>; our pages need neither. */
function contentSecurityPolicy(board: boolean) {
  return {
    defaultSrc: ["'self'"],
    // Our bundle only: no inline script, no eval, no CDN (pages embed their data as JSON).
    scriptSrc: ["'self'"],
    // Avatars too are ours (routes/avatars.ts): no page asks another host for anything.
    imgSrc: ["'self'", 'data:'],
    styleSrc: board ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    objectSrc: ["'none'"],
    baseUri: board ? ["'self'"] : ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  };
}

/** Errors are JSON under /api and on the machine routes; a small HTML page where a person browses. */
function isMachinePath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    ['/healthz', '/readyz', '/metrics'].includes(path) ||
    path.startsWith('/assets/') ||
    path.startsWith('/avatars/')
  );
}
