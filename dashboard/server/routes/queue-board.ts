import { Hono } from 'hono';
import type { DashboardDeps } from '../app.ts';
import { requireAdmin } from '../middleware/auth.ts';
import { unavailable } from '../middleware/errors.ts';
import type { DashboardQueues } from '../queue-inspection.ts';

export const queueBoardPath = '/admin/queues';

/**
 * BullMQ's own board (`@bull-board/hono`) under /admin/queues, behind the admin token (Bearer, or
 * Basic so that a browser can sign in). Loaded on first use: half a second of imports that most
 * processes never need.
 */
export function queueBoardRoutes({ queues, adminToken }: DashboardDeps): Hono {
  let board: Promise<Hono> | undefined;
  return new Hono()
    .use(`${queueBoardPath}/*`, requireAdmin({ token: adminToken, basic: true }))
    .all(`${queueBoardPath}/*`, async (c) => {
      if (!queues)
        throw unavailable('the queue board needs the collection queues: this dashboard has no Redis');
      board ??= loadBoard(queues).catch((error: unknown) => {
        board = undefined;
        throw error;
      });
      return (await board).fetch(c.req.raw);
    });
}

async function loadBoard(queues: DashboardQueues): Promise<Hono> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }, { serveStatic }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/hono'),
    import('@hono/node-server/serve-static'),
  ]);
  const adapter = new HonoAdapter(serveStatic).setBasePath(queueBoardPath);
  createBullBoard({
    queues: Object.values(queues).map((queue) => new BullMQAdapter(queue)),
    // @bull-board/hono 9.10.1 (the latest) pins its own @bull-board/api 9.10.1 beside our 9.10.2:
    // same interface, separately declared private fields.
    serverAdapter: adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'campaign-tracker' } },
  });
  return new Hono().route(queueBoardPath, adapter.registerPlugin());
}
