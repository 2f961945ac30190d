import { startCollection } from '../../workers/runtime.ts';
import { watchAlerts } from '../alerts/watch.ts';
import { pricesFrom } from '../budget/prices.ts';
import { clockFrom } from '../clock.ts';
import type { Config } from '../config.ts';
import { campaignUpdatedChannel } from '../jobs/queue-names.ts';
import type { Logger } from '../log.ts';
import { XClient } from '../networks/x/client.ts';
import { RedisUnavailableError, redisAnswers, safeUrl } from '../redis.ts';
import { UsageError } from './errors.ts';
import { mastodonClientFrom } from './mastodon-client.ts';
import { sourcesFrom } from './sources.ts';
import { openMigratedDatabase } from './storage.ts';

// Apart from the dashboard (src/commands/dashboard.ts): a worker process loads no web server,
// spreadsheet or chart code, which is most of an idle process's memory.
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
    const x = new XClient({
      bearerToken: config.X_BEARER_TOKEN,
      baseUrl: config.X_API_BASE_URL,
      timeoutMs: config.X_TIMEOUT_MS,
    });
    const clock = clockFrom(config.TRACKER_CLOCK);
    const collection = await startCollection({
      db,
      x,
      clock,
      log,
      prices: pricesFrom(config),
      redisUrl: config.REDIS_URL,
      sources: sourcesFrom(config),
      mastodon: mastodonClientFrom(config),
    });
    // Alerts are checked after each write the workers announce (src/alerts/watch.ts says why there).
    const alerts = watchAlerts({
      db,
      redisUrl: config.REDIS_URL,
      channel: campaignUpdatedChannel(),
      clock,
      log,
    });
    log.info('worker started');
    return async () => {
      await collection.close();
      await alerts.close();
      await db.destroy();
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
