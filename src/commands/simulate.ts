import { randomBytes } from 'node:crypto';
import { ReplayClock } from '../clock.ts';
import { generateScenario } from '../simulator/scenario.ts';
import { startSimulator } from '../simulator/server.ts';

/** `tracker simulate`: the simulator alone, replaying the summit from its first day. */
export async function runSimulator(options: { port: number; speed: number }) {
  const scenario = generateScenario();
  const bearerToken = `sim-${randomBytes(24).toString('hex')}`;
  const clock = new ReplayClock(scenario.window.start, options.speed);
  const simulator = await startSimulator({ scenario, clock, bearerToken, port: options.port });
  return { baseUrl: simulator.baseUrl, bearerToken, close: () => simulator.close() };
}
