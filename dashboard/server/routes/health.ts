import { Hono } from 'hono';
import { z } from 'zod';
import { describeRoute } from '../openapi/route-docs.ts';
import { exposition, prometheusContentType } from '../prometheus-format.ts';
import { collectPrometheusFamilies } from '../prometheus-metrics.ts';
import { readiness, readinessSchema } from '../readiness.ts';
import type { DashboardContext } from './context.ts';

const livenessSchema = z.object({ status: z.literal('ok') });

/**
 * Probes and metrics. `/healthz`: the process answers (liveness: restart it when this fails).
 * `/readyz`: PostgreSQL and Redis answer (readiness: send it traffic). `/metrics`: Prometheus.
 */
export function healthRoutes({ db, clock, queues, redis, prefix }: DashboardContext): Hono {
  // Mounted at '/': a middleware here would wrap every route of the dashboard, hence per-route headers.
  const noStore = { 'Cache-Control': 'no-store' };
  return new Hono()
    .get(
      '/healthz',
      describeRoute({
        summary: 'Liveness: the process answers',
        description: 'Restart the process when this fails.',
        responses: { 200: { description: 'alive', json: livenessSchema } },
      }),
      (c) => c.json<z.output<typeof livenessSchema>>({ status: 'ok' }, 200, noStore),
    )
    .get(
      '/readyz',
      describeRoute({
        summary: 'Readiness: PostgreSQL and Redis answer',
        description:
          'Send traffic while this is 200; the last collection is reported, never failing the probe.',
        responses: {
          200: { description: 'ready', json: readinessSchema },
          503: {
            description: 'not ready: `failing` names the checks and `error` says why',
            json: readinessSchema,
          },
        },
      }),
      async (c) => {
        const report = await readiness({ db, clock, redis });
        return c.json(report, report.status === 'ready' ? 200 : 503, noStore);
      },
    )
    .get(
      '/metrics',
      describeRoute({
        summary: 'Prometheus metrics',
        responses: {
          200: {
            description: 'the text exposition format',
            content: { [prometheusContentType]: { type: 'string' } },
          },
        },
      }),
      async (c) => {
        const families = await collectPrometheusFamilies({ db, clock, queues, redis, prefix });
        return c.body(exposition(families), 200, { ...noStore, 'Content-Type': prometheusContentType });
      },
    );
}
