import type { Context } from 'hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Clock } from '../src/clock.ts';
import type { Db } from '../src/db/database.ts';
import { buildAssets } from './bundle.ts';
import type { ErrorJson } from './contract.ts';
import { codeOf } from './errors.ts';
import { detectLanguage } from './language.ts';
import { apiRoutes } from './routes/api.ts';
import { assetRoutes } from './routes/assets.ts';
import { healthRoutes } from './routes/health.ts';
import { pageRoutes } from './routes/pages.tsx';
import { renderErrorPage } from './views/error-page.tsx';

export interface DashboardDeps {
  db: Db;
  clock: Clock;
  /** collecting from the built-in simulator: the pages say the data is simulated */
  demo: boolean;
  log?: Logger | undefined;
}

/** The dashboard: JSON API under /api/v1, pages, assets and health. Serve it with `serveDashboard`. */
export function createDashboard(deps: DashboardDeps): Hono {
  // Bundle the browser code now rather than on the first page view; a failure is logged here and
  // retried (and reported) by the first request that needs the assets.
  buildAssets().catch((error: unknown) =>
    deps.log?.error({ err: error }, 'cannot bundle the dashboard assets'),
  );

  const app = new Hono();
  app.use(detectLanguage);
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // Avatars are X's own images; everything else is served from here.
        imgSrc: ["'self'", 'https:', 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
    }),
  );

  app.route('/', healthRoutes());
  app.route('/', assetRoutes());
  app.route('/api/v1', apiRoutes(deps));
  app.route('/', pageRoutes(deps));

  const respondError = (c: Context, status: ContentfulStatusCode, code: string, message: string) => {
    if (isMachinePath(c.req.path)) return c.json<ErrorJson>({ error: { code, message } }, status);
    return renderErrorPage(c, status, message, deps.demo);
  };

  app.notFound((c) => respondError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return respondError(c, error.status, codeOf(error), error.message);
    }
    deps.log?.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return respondError(c, 500, 'internal', 'internal error');
  });

  return app;
}

/** Errors are JSON under /api and on the machine routes; a small HTML page where a person browses. */
function isMachinePath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/healthz' || path.startsWith('/assets/');
}
