import { Hono } from 'hono';
import { exposition, prometheusContentType } from '../prometheus-format.ts';
import { collectPrometheusFamilies } from '../prometheus-metrics.ts';
import { readiness } from '../readiness.ts';
import type { DashboardContext } from './context.ts';

/**
 * Probes and metrics. `/healthz`: the process answers (liveness: restart it when this fails).
 * `/readyz`: PostgreSQL and Redis answer (readiness: send it traffic). `/metrics`: Prometheus.
 */
export function healthRoutes({ db, clock, queues, redis, prefix }: DashboardContext): Hono {
  // Mounted at '/': a middleware here would wrap every route of the dashboard, hence per-route headers.
  const noStore = { 'Cache-Control': 'no-store' };
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' }, 200, noStore))
    .get('/readyz', async (c) => {
      const report = await readiness({ db, clock, redis });
      return c.json(report, report.status === 'ready' ? 200 : 503, noStore);
    })
    .get('/metrics', async (c) => {
      const families = await collectPrometheusFamilies({ db, clock, queues, redis, prefix });
      return c.body(exposition(families), 200, { ...noStore, 'Content-Type': prometheusContentType });
    });
}
