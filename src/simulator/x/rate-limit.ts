/**
 * Per-endpoint request budgets over 15-minute windows (shorter ones for tests) of REAL time, as X counts them: clients wait in
 * wall-clock time whatever the simulated clock says. A window opens with the endpoint's first request and
 * resets 15 minutes later. Every endpoint (route) has its own window; its limit is its family's.
 *
 * Families match the tracker's queues: `users` covers /2/users, /2/users/by, /2/users/by/username/:username
 * and /2/users/:id; `tweets` covers /2/tweets and /2/tweets/:id; `searchAll` is the archive search,
 * `counts` the recent post counts, `countsAll` the archive's, `usage` /2/usage/tweets.
 */
export type EndpointName =
  | 'search'
  | 'searchAll'
  | 'counts'
  | 'countsAll'
  | 'users'
  | 'timelines'
  | 'tweets'
  | 'usage';

export const RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;

/** Requests per 15 minutes, close to X's Pro tier (app auth): the limits when no tier is named. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<EndpointName, number>> = {
  search: 450,
  searchAll: 300,
  counts: 300,
  countsAll: 300,
  users: 900,
  timelines: 1500,
  tweets: 900,
  usage: 50,
};

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds at which the window resets (X's `x-rate-limit-reset`). */
  reset: number;
}

export class RateLimiter {
  readonly #limits: Record<EndpointName, number>;
  readonly #realNow: () => number;
  readonly #windows = new Map<string, { resetMs: number; used: number }>();
  /** Per endpoint: the least real time between two requests (X's "1 request per second" of archive search). */
  readonly #minIntervalMs: Partial<Record<EndpointName, number>>;
  readonly #lastAllowedMs = new Map<string, number>();
  readonly #windowMs: number;

  constructor(
    limits: Record<EndpointName, number>,
    realNow: () => number = Date.now,
    minIntervalMs: Partial<Record<EndpointName, number>> = {},
    windowMs = RATE_LIMIT_WINDOW_MS,
  ) {
    if (!Number.isInteger(windowMs) || windowMs < 1000)
      throw new RangeError(`a rate-limit window lasts at least 1000 ms, got ${windowMs}`);
    this.#windowMs = windowMs;
    this.#limits = limits;
    for (const [name, limit] of Object.entries(this.#limits)) {
      if (!Number.isInteger(limit) || limit < 1)
        throw new RangeError(`rate limit for ${name} must be ≥ 1, got ${limit}`);
    }
    this.#realNow = realNow;
    this.#minIntervalMs = minIntervalMs;
  }

  limitOf(family: EndpointName): number {
    return this.#limits[family];
  }

  /** Counts one request against the window of `endpoint` (a route), whose limit is its family's. */
  take(family: EndpointName, endpoint: string): RateLimitVerdict {
    const nowMs = this.#realNow();
    const limit = this.#limits[family];
    let window = this.#windows.get(endpoint);
    if (!window || nowMs >= window.resetMs) {
      window = { resetMs: nowMs + this.#windowMs, used: 0 };
      this.#windows.set(endpoint, window);
    }
    const minInterval = this.#minIntervalMs[family] ?? 0;
    const last = this.#lastAllowedMs.get(endpoint);
    const tooSoon = minInterval > 0 && last !== undefined && nowMs - last < minInterval;
    const allowed = window.used < limit && !tooSoon;
    if (allowed) {
      window.used++;
      this.#lastAllowedMs.set(endpoint, nowMs);
    }
    // Refused for coming too soon, the request is told when the next one may come, not the window's
    // end: a client that waits for the announced reset then never waits longer than it must.
    const resetMs = tooSoon && window.used < limit ? (last ?? nowMs) + minInterval : window.resetMs;
    return { allowed, limit, remaining: limit - window.used, reset: Math.ceil(resetMs / 1000) };
  }
}
