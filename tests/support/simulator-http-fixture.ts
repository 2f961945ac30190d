import { ManualClock } from '../../src/clock.ts';
import { createSimulatorApp, generateScenario } from '../../src/simulator/index.ts';

export const TOKEN = 'test-bearer';
export const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };
export const scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
export const NOON_DAY_TWO = '2016-12-08T12:00:00+01:00';

export function setup(now = NOON_DAY_TWO, rateLimits = {}, realNow?: () => number) {
  const clock = new ManualClock(now);
  const app = createSimulatorApp({
    scenario,
    clock,
    bearerToken: TOKEN,
    rateLimits,
    ...(realNow ? { realNow } : {}),
  });
  const get = async (path: string) => {
    const res = await app.request(path, AUTH);
    return { res, status: res.status, body: (await res.json()) as Record<string, unknown> & WireBody };
  };
  return { app, clock, get };
}

export interface WireBody {
  data?: Array<Record<string, unknown>> & Record<string, unknown>;
  includes?: { users?: Array<Record<string, unknown>>; tweets?: Array<Record<string, unknown>> };
  errors?: Array<Record<string, unknown>>;
  meta?: {
    result_count: number;
    newest_id?: string;
    oldest_id?: string;
    next_token?: string;
    previous_token?: string;
  };
}

export const userByName = (name: string) => {
  const user = scenario.users.find((u) => u.username === name);
  if (!user) throw new Error(name);
  return user;
};
export const home = userByName('OpenData_Forum');
