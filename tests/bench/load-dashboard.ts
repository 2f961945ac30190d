import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import { openDatabase } from '../../src/db/database.ts';
import { silentLog, testDatabaseUrl, testRedisUrl } from '../support/services.ts';

/**
 * The load bench's dashboard (tests/bench/load.ts) in a process of its own, as `tracker dashboard`
 * runs in a deployment: the workers, the simulator and the 200 stream clients of the bench do not
 * share its event loop. Its event clock follows the bench's, which sends each step (`{now}`);
 * `{loop: 'reset' | 'read'}` measures its event loop's delay; `{close: true}` ends it.
 */
export interface LoadDashboardSettings {
  schema: string;
  prefix: string;
  now: string;
  ttlMs: number;
}

const settings = JSON.parse(process.env.LOAD_DASHBOARD ?? '') as LoadDashboardSettings;
const clock = new ManualClock(settings.now);
// The dashboard's own pool, as in production: the workers' writes do not queue behind its reads.
const db = await openDatabase({ url: testDatabaseUrl, schema: settings.schema, poolSize: 10 });
const app = createDashboard({
  db,
  clock,
  demo: false,
  log: silentLog,
  redisUrl: testRedisUrl,
  prefix: settings.prefix,
  // The default limit (600 a minute per client address) would refuse most of a single-address
  // load of 50 a second: the bench measures the server, not the limiter.
  rateLimit: false,
  leaderboardCache: { ttlMs: settings.ttlMs },
});
const server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
const loop = monitorEventLoopDelay({ resolution: 10 });

type Message = { now: string } | { loop: 'reset' | 'read' } | { close: true };
process.on('message', (message: Message) => {
  if ('now' in message) clock.set(message.now);
  else if ('loop' in message && message.loop === 'reset') {
    loop.reset();
    loop.enable();
  } else if ('loop' in message) {
    loop.disable();
    process.send?.({ loopP95Ms: loop.percentile(95) / 1e6, loopMaxMs: loop.max / 1e6 });
  } else if ('close' in message) {
    void server
      .close()
      .then(() => db.destroy())
      .finally(() => process.exit(0));
  }
});
process.send?.({ url: server.url });
