import { Hono } from 'hono';

/** Liveness: the process answers. Readiness (database, Redis) is /readyz, later. */
export function healthRoutes(): Hono {
  return new Hono().get('/healthz', (c) => c.json({ status: 'ok' }));
}
