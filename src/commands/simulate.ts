import { randomBytes } from 'node:crypto';
import { ManualClock, ReplayClock } from '../clock.ts';
import { generateScenario, SCENARIO_PRESETS } from '../simulator/scenario.ts';
import { startSimulator } from '../simulator/x/server.ts';
import type { AccessTier } from '../simulator/x/tiers.ts';
import { UsageError } from './errors.ts';

export interface SimulateOptions {
  port: number;
  speed: number;
  scenario: string;
  tier?: AccessTier;
  /** a fixed instant for the simulator's clock instead of a replay: e.g. months after the event */
  at?: Date;
}

/**
 * `tracker simulate`: the simulator alone, replaying a scenario from its window's first day, or,
 * with `at`, standing still at that instant (an event long over: only the archive reaches it).
 */
export async function runSimulator(options: SimulateOptions) {
  const preset = SCENARIO_PRESETS[options.scenario];
  if (!preset) {
    throw new UsageError(
      `unknown scenario "${options.scenario}": use one of ${Object.keys(SCENARIO_PRESETS).join(', ')}`,
    );
  }
  const scenario = generateScenario(preset);
  const bearerToken = `sim-${randomBytes(24).toString('hex')}`;
  const clock = options.at
    ? new ManualClock(options.at)
    : new ReplayClock(scenario.window.start, options.speed);
  const simulator = await startSimulator({
    scenario,
    clock,
    bearerToken,
    port: options.port,
    ...(options.tier ? { tier: options.tier } : {}),
  });
  return {
    baseUrl: simulator.baseUrl,
    bearerToken,
    scenario: { name: scenario.name, posts: scenario.posts.length, accounts: scenario.users.length },
    close: () => simulator.close(),
  };
}
