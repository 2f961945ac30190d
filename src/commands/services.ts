import { createDashboard } from '../../dashboard/app.ts';
import { serveDashboard } from '../../dashboard/server.ts';
import { startCollection } from '../../workers/runtime.ts';
import { clockFrom } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { RedisUnavailableError, redisAnswers, safeUrl } from '../redis.ts';
import { XClient } from '../x/client.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

/** `tracker worker`: collection only — workers and schedules — for deployments with several processes. */
export async function runWorker(config: Config, log: Logger): Promise<() => Promise<void>> {
  if (!config.X_BEARER_TOKEN) {
    throw new UsageError(
      'tracker worker collects from X: set X_BEARER_TOKEN (the demo runs with: npm start)',
    );
  }
  if (!(await redisAnswers(config.REDIS_URL))) {
    throw new RedisUnavailableError(
      `no Redis answers at ${safeUrl(config.REDIS_URL)}: start it or set REDIS_URL`,
    );
  }
  const db = await openMigratedDatabase(config);
  try {
    const x = new XClient({ bearerToken: config.X_BEARER_TOKEN, baseUrl: config.X_API_BASE_URL });
    const collection = await startCollection({
      db,
      x,
      clock: clockFrom(config.TRACKER_CLOCK),
      log,
      redisUrl: config.REDIS_URL,
    });
    log.info('worker started');
    return async () => {
      await collection.close();
      await db.destroy();
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** `tracker dashboard`: the web dashboard only, reading the database the workers fill. */
export async function runDashboard(
  config: Config,
  log: Logger,
): Promise<{ url: string; stop(): Promise<void> }> {
  const db = await openMigratedDatabase(config);
  try {
    const server = await serveDashboard(
      createDashboard({ db, clock: clockFrom(config.TRACKER_CLOCK), demo: config.demo, log }),
      {
        port: config.PORT,
      },
    );
    log.info({ url: server.url }, `dashboard on ${server.url}`);
    return {
      url: server.url,
      stop: async () => {
        await server.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
