import { createDashboard } from '../../dashboard/server/app.ts';
import { connectQueues } from '../../dashboard/server/queue-inspection.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { clockFrom } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { openMigratedDatabase } from './storage.ts';

/** `tracker dashboard`: the web dashboard only, reading the database the workers fill. */
export async function runDashboard(
  config: Config,
  log: Logger,
): Promise<{ url: string; stop(): Promise<void> }> {
  const db = await openMigratedDatabase(config);
  // The workers' queues, for the operations page, the BullMQ board and the admin actions.
  const collection = connectQueues(config.REDIS_URL, { log });
  try {
    const dashboard = createDashboard({
      db,
      clock: clockFrom(config.TRACKER_CLOCK),
      demo: config.demo,
      log,
      redisUrl: config.REDIS_URL,
      queues: collection.queues,
      adminToken: config.ADMIN_TOKEN,
    });
    const server = await serveDashboard(dashboard, { port: config.PORT });
    log.info({ url: server.url }, `dashboard on ${server.url}`);
    return {
      url: server.url,
      stop: async () => {
        await server.close();
        await collection.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await collection.close();
    await db.destroy();
    throw error;
  }
}
