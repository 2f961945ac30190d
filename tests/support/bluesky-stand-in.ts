import { type Clock, ManualClock } from '../../src/clock.ts';
import { BlueskyClient, type BlueskyClientOptions } from '../../src/networks/bluesky/client.ts';
import type { BlueskySimulatorOptions } from '../../src/simulator/bluesky/app.ts';
import {
  type BlueskyScenario,
  type BlueskyScenarioOptions,
  generateBlueskyScenario,
} from '../../src/simulator/bluesky/scenario.ts';
import { type RunningBlueskySimulator, startBlueskySimulator } from '../../src/simulator/bluesky/server.ts';

/** One HTTP exchange as the client's fetch saw it: the raw body, before @atproto/api checks it. */
export interface Exchange {
  method: string;
  status: number;
  body: unknown;
}

export const APP_PASSWORD = 'test-pass-word-0000';

export interface StandIn {
  scenario: BlueskyScenario;
  clock: ManualClock;
  sim: RunningBlueskySimulator;
  exchanges: Exchange[];
  /** errors the stand-in turned into 500s: a test expects none */
  unexpected: unknown[];
  /** A real client on the stand-in (service and public AppView alike), its exchanges recorded. */
  client(options?: Partial<BlueskyClientOptions>): BlueskyClient;
  close(): Promise<void>;
}

/** The Bluesky stand-in over HTTP with a scenario, its clock at `now` (default: the window's end). */
export async function startStandIn(
  scenarioOptions: BlueskyScenarioOptions,
  options: Partial<Omit<BlueskySimulatorOptions, 'scenario' | 'clock'>> & { now?: Date } = {},
): Promise<StandIn> {
  const scenario = generateBlueskyScenario(scenarioOptions);
  const unexpected: unknown[] = [];
  const clock = new ManualClock(options.now ?? scenario.window.end);
  const sim = await startBlueskySimulator({
    appPassword: APP_PASSWORD,
    ...options,
    scenario,
    clock: clock as Clock,
    onUnexpectedError: (error) => unexpected.push(error),
  });
  const exchanges: Exchange[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: a body that is not JSON fails the checks that read it
    }
    exchanges.push({ method: url.pathname.replace('/xrpc/', ''), status: response.status, body });
    return response;
  };
  return {
    scenario,
    clock,
    sim,
    exchanges,
    unexpected,
    client: (overrides = {}) =>
      new BlueskyClient({
        identifier: sim.identifier,
        appPassword: APP_PASSWORD,
        service: sim.baseUrl,
        publicApi: sim.baseUrl,
        fetch: recording,
        ...overrides,
      }),
    close: () => sim.close(),
  };
}
