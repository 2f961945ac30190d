import { randomBytes } from 'node:crypto';
import { ManualClock, ReplayClock } from '../clock.ts';
import { BLUESKY_PRESETS, generateBlueskyScenario } from '../simulator/bluesky/scenario.ts';
import { startBlueskySimulator } from '../simulator/bluesky/server.ts';
import { startMastodonSimulator } from '../simulator/mastodon/server.ts';
import { generateScenario, SCENARIO_PRESETS, type ScenarioOptions } from '../simulator/scenario.ts';
import { startSimulator } from '../simulator/x/server.ts';
import type { AccessTier } from '../simulator/x/tiers.ts';
import { UsageError } from './errors.ts';

export const SIMULATED_NETWORKS = ['x', 'bluesky', 'mastodon'] as const;
export type SimulatedNetwork = (typeof SIMULATED_NETWORKS)[number];

export interface SimulateOptions {
  port: number;
  speed: number;
  network?: SimulatedNetwork;
  /** default: ogp16 on X, forum26 on Bluesky and Mastodon */
  scenario?: string;
  tier?: AccessTier;
  /** a fixed instant for the simulator's clock instead of a replay: e.g. months after the event */
  at?: Date;
}

export interface RunningStandIn {
  network: SimulatedNetwork;
  baseUrl: string;
  /** What a client needs to be let in, as `label: value` lines to print (a token, or a login). */
  credentials: Array<[label: string, value: string]>;
  scenario: { name: string; posts: number; accounts: number };
  close(): Promise<void>;
}

/**
 * `tracker simulate`: one network's stand-in alone, replaying a scenario from its window's first day,
 * or, with `at` (X), standing still at that instant (an event long over: only the archive reaches it).
 */
export async function runSimulator(options: SimulateOptions): Promise<RunningStandIn> {
  return options.network === 'bluesky' ? runBluesky(options) : runX(options);
}

async function runX(options: SimulateOptions): Promise<RunningStandIn> {
  const name = options.scenario ?? 'ogp16';
  const scenario = generateScenario(presetOf(SCENARIO_PRESETS, name));
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
    network: 'x',
    baseUrl: simulator.baseUrl,
    credentials: [['bearer token', bearerToken]],
    scenario: { name: scenario.name, posts: scenario.posts.length, accounts: scenario.users.length },
    close: () => simulator.close(),
  };
}

async function runBluesky(options: SimulateOptions): Promise<RunningStandIn> {
  if (options.tier) throw new UsageError('--tier is X access tiers; the Bluesky stand-in has none');
  const name = options.scenario ?? 'forum26';
  const scenario = generateBlueskyScenario(presetOf(BLUESKY_PRESETS, name));
  // Shaped like Bluesky's app passwords (four groups of four), fresh on every start.
  const appPassword = (randomBytes(8).toString('hex').match(/.{4}/g) ?? []).join('-');
  const clock = new ReplayClock(scenario.window.start, options.speed);
  const simulator = await startBlueskySimulator({ scenario, clock, appPassword, port: options.port });
  return {
    network: 'bluesky',
    baseUrl: simulator.baseUrl,
    credentials: [
      ['identifier', simulator.identifier],
      ['app password', appPassword],
    ],
    scenario: { name: scenario.name, posts: scenario.posts.length, accounts: scenario.accounts.length },
    close: () => simulator.close(),
  };
}

/**
 * `tracker simulate --network mastodon`: every stand-in instance on one port, one line per instance
 * (`instance <name>: <base URL>`), then the MASTODON_TOKENS that opens the instances closed to anonymous
 * readers.
 */
export async function runMastodonSimulator(options: Omit<SimulateOptions, 'tier'>) {
  const scenario = generateScenario(presetOf(MASTODON_PRESETS, options.scenario ?? 'forum26'));
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

/**
 * The Mastodon stand-in's worlds are drawn from an X scenario's posts. `forum26` is the one the demo
 * serves as that campaign's Mastodon side (src/demo.ts): the 2016 scenario's, under its 2026 name.
 */
const MASTODON_PRESETS: Readonly<Record<string, ScenarioOptions>> = {
  forum26: { ...SCENARIO_PRESETS.ogp16, name: 'forum26' },
  ...SCENARIO_PRESETS,
};

function presetOf<T>(presets: Readonly<Record<string, T>>, name: string): T {
  const preset = presets[name];
  if (!preset) {
    throw new UsageError(`unknown scenario "${name}": use one of ${Object.keys(presets).join(', ')}`);
  }
  return preset;
}
