import { randomBytes } from 'node:crypto';
import { ReplayClock } from '../clock.ts';
import { startMastodonSimulator } from '../simulator/mastodon/server.ts';
import { generateScenario, SCENARIO_PRESETS } from '../simulator/scenario.ts';
import { startSimulator } from '../simulator/x/server.ts';
import type { AccessTier } from '../simulator/x/tiers.ts';
import { UsageError } from './errors.ts';

export interface SimulateOptions {
  port: number;
  speed: number;
  scenario: string;
  tier?: AccessTier;
}

/** `tracker simulate`: the simulator alone, replaying a scenario from its window's first day. */
export async function runSimulator(options: SimulateOptions) {
  const scenario = generateScenario(presetNamed(options.scenario));
  const bearerToken = `sim-${randomBytes(24).toString('hex')}`;
  const clock = new ReplayClock(scenario.window.start, options.speed);
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

/**
 * `tracker simulate --network mastodon`: every stand-in instance on one port, one line per instance
 * (`instance <name>: <base URL>`), then the MASTODON_TOKENS that opens the instances closed to anonymous
 * readers.
 */
export async function runMastodonSimulator(options: Omit<SimulateOptions, 'tier'>) {
  const scenario = generateScenario(presetNamed(options.scenario));
  const clock = new ReplayClock(scenario.window.start, options.speed);
  const simulator = await startMastodonSimulator({ scenario, clock, port: options.port });
  const closed = simulator.world.instances.filter((instance) => instance.closedTagTimelines);
  const lines = simulator.instances.map((instance) => `instance ${instance.name}: ${instance.baseUrl}`);
  if (closed.length > 0) {
    const tokens = closed.map(
      (spec) => `${simulator.directory[spec.domain]}=${simulator.tokens[spec.domain]}`,
    );
    lines.push(`MASTODON_TOKENS=${tokens.join(',')}`);
  }
  lines.push(
    `scenario ${scenario.name}: ${simulator.world.statuses.length} statuses by ${simulator.world.accounts.length} Mastodon accounts`,
  );
  return { lines, close: () => simulator.close() };
}

function presetNamed(name: string) {
  const preset = SCENARIO_PRESETS[name];
  if (!preset) {
    throw new UsageError(
      `unknown scenario "${name}": use one of ${Object.keys(SCENARIO_PRESETS).join(', ')}`,
    );
  }
  return preset;
}
