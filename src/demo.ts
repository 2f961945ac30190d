import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ReplayClock } from './clock.ts';
import type { Logger } from './log.ts';
import { generateScenario } from './simulator/scenario.ts';
import { startSimulator } from './simulator/x/server.ts';

/** The campaign file the demo applies; it describes the simulator's `ogp16` scenario. */
export const demoCampaignFile = fileURLToPath(new URL('../campaigns/ogp16.yaml', import.meta.url));

/** The replay starts this long before the summit opens, so the first minutes already show activity. */
const leadInMs = 6 * 3600_000;

export interface Demo {
  clock: ReplayClock;
  baseUrl: string;
  bearerToken: string;
  close(): Promise<void>;
}

/**
 * Demo mode: the built-in X API simulator replays the 2016 summit `speed` times faster than real
 * time. The application shares the simulator's clock, so posts, snapshots and charts sit on one
 * timeline. The replay compresses time, so the simulator grants rate limits `speed` times larger
 * than X's (a 15-minute window lasts a couple of real seconds of event time otherwise).
 */
export async function startDemo(options: { speed: number; log: Logger }): Promise<Demo> {
  const scenario = generateScenario();
  const clock = new ReplayClock(new Date(scenario.window.start.getTime() - leadInMs), options.speed);
  const bearerToken = `demo-${randomBytes(24).toString('hex')}`;
  const simulator = await startSimulator({
    scenario,
    clock,
    bearerToken,
    port: 0,
    rateLimits: { search: 100_000, users: 100_000, timelines: 100_000, tweets: 100_000 },
  });
  options.log.info(
    {
      simulator: simulator.baseUrl,
      speed: options.speed,
      posts: scenario.posts.length,
      accounts: scenario.users.length,
    },
    'demo mode: no X_BEARER_TOKEN, replaying the OGP 2016 summit on the built-in X API simulator',
  );
  return { clock, baseUrl: simulator.baseUrl, bearerToken, close: () => simulator.close() };
}
