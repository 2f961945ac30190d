import type { Clock } from '../../clock.ts';
import { type CompiledQuery, compileQuery } from '../query/match.ts';
import type { SimPost, SimUser } from '../types.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ScenarioIndex } from './scenario-index.ts';

/** What every route reads: the scenario, the simulated clock, the request budgets. */
export interface SimulatorState {
  readonly index: ScenarioIndex;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  /** Parsed once per distinct query string: collectors repeat the same few queries all day. */
  compile(query: string): CompiledQuery;
  /**
   * The post as clients can see it now, or undefined: not written yet at the simulated instant.
   * The one place to decide visibility (deleted posts will plug in here).
   */
  postNow(id: string): SimPost | undefined;
  /** The account as clients can see it now, by id (suspended accounts will plug in here). */
  userNow(id: string): SimUser | undefined;
  /** Same, by username, case-insensitively. */
  userNowByUsername(username: string): SimUser | undefined;
}

export function createState(index: ScenarioIndex, clock: Clock, limiter: RateLimiter): SimulatorState {
  const compiled = new Map<string, CompiledQuery>();
  const existing = <T extends { createdAt: Date }>(item: T | undefined): T | undefined =>
    item && item.createdAt <= clock.now() ? item : undefined;
  return {
    index,
    clock,
    limiter,
    compile(query) {
      let found = compiled.get(query);
      if (!found) {
        found = compileQuery(query);
        if (compiled.size < 1000) compiled.set(query, found);
      }
      return found;
    },
    postNow: (id) => existing(index.post(id)),
    userNow: (id) => existing(index.user(id)),
    userNowByUsername: (username) => existing(index.userByUsername(username)),
  };
}
