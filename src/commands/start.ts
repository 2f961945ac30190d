import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { startCollection } from '../../workers/runtime.ts';
import { watchAlerts } from '../alerts/watch.ts';
import { pricesFrom } from '../budget/prices.ts';
import { applyCampaign } from '../campaigns/apply.ts';
import { type Clock, clockFrom } from '../clock.ts';
import { blueskySource } from '../collect/source.ts';
import type { Config } from '../config.ts';
import { type Demo, startDemo } from '../demo.ts';
import { campaignUpdatedChannel, defaultPrefix } from '../jobs/queue-names.ts';
import type { Logger } from '../log.ts';
import { BlueskyClient } from '../networks/bluesky/client.ts';
import { MastodonClient } from '../networks/mastodon/client.ts';
import { XClient } from '../networks/x/client.ts';
import { ensureRedis } from '../redis.ts';
import { mastodonClientFrom } from './mastodon-client.ts';
import { sourcesFrom } from './sources.ts';
import { openMigratedDatabase } from './storage.ts';

/** Demo schedules never fire more often than this, whatever the replay speed. */
const demoMinIntervalMs = 2000;

/**
 * `tracker start`: everything in one process — migrate, (demo: stand-ins and their campaigns),
 * workers and schedules, dashboard. Returns a function that stops it all, in reverse order.
 */
export async function start(config: Config, log: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  const stack: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const close of stack.reverse())
      await close().catch((err) => log.error({ err }, 'error while stopping'));
  };
  try {
    const db = await openMigratedDatabase(config, { freshDemo: config.demo });
    stack.push(() => db.destroy());
    const redis = await ensureRedis(config.REDIS_URL, log);
    stack.push(() => redis.close());

    let clock: Clock = clockFrom(config.TRACKER_CLOCK);
    let demo: Demo | undefined;
    let x: XClient;
    if (config.demo) {
      demo = await startDemo({ speed: config.DEMO_SPEED, log });
      stack.push(() => (demo as Demo).close());
      clock = demo.clock;
      x = new XClient({ bearerToken: demo.bearerToken, baseUrl: demo.baseUrl });
      for (const campaign of demo.campaigns) await applyCampaign(db, campaign, clock.now());
    } else {
      x = new XClient({
        bearerToken: config.X_BEARER_TOKEN as string,
        baseUrl: config.X_API_BASE_URL,
        timeoutMs: config.X_TIMEOUT_MS,
      });
    }

    // The demo keeps its jobs apart from real ones and starts from empty queues.
    const prefix = demo ? 'demo' : defaultPrefix;
    const collection = await startCollection({
      db,
      x,
      clock,
      log,
      prices: pricesFrom(config),
      redisUrl: redis.url,
      // The demo reads its stand-ins; otherwise Bluesky when its session is configured.
      sources: demo ? [blueskySource(new BlueskyClient(demo.bluesky))] : sourcesFrom(config),
      mastodon: demo ? new MastodonClient(demo.mastodon) : mastodonClientFrom(config),
      prefix,
      ...(demo ? { fresh: true } : {}),
      schedules: demo ? { replay: { speed: demo.clock.speed, minEveryMs: demoMinIntervalMs } } : {},
    });
    stack.push(() => collection.close());
    // Alerts are checked after each write the workers announce (src/alerts/watch.ts says why there).
    const alerts = watchAlerts({
      db,
      redisUrl: redis.url,
      channel: campaignUpdatedChannel(prefix),
      clock,
      log,
    });
    stack.push(() => alerts.close());

    const dashboard = createDashboard({
      db,
      clock,
      demo: config.demo,
      log,
      redisUrl: redis.url,
      prefix,
      queues: collection.queues,
      adminToken: config.ADMIN_TOKEN,
    });
    const server = await serveDashboard(dashboard, { port: config.PORT });
    stack.push(() => server.close());
    log.info({ url: server.url }, `dashboard on ${server.url}`);
    return { url: server.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
