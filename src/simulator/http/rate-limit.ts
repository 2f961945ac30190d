/**
 * Per-endpoint request budgets over 15-minute windows of REAL time, as X counts them: clients wait in
 * wall-clock time whatever the simulated clock says. A window opens with its first request and resets
 * 15 minutes later.
 *
 * Endpoint families match the tracker's queues: `users` covers /2/users, /2/users/by,
 * /2/users/by/username/:username and /2/users/:id; `tweets` covers /2/tweets and /2/tweets/:id.
 */
export type EndpointName = 'search' | 'users' | 'timelines' | 'tweets';

export const RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;

/** Requests per 15 minutes, close to X's Pro tier (app auth). */
export const DEFAULT_RATE_LIMITS: Readonly<Record<EndpointName, number>> = {
  search: 450,
  users: 900,
  timelines: 1500,
  tweets: 900,
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
  readonly #windows = new Map<EndpointName, { resetMs: number; used: number }>();

  constructor(limits: Partial<Record<EndpointName, number>> = {}, realNow: () => number = Date.now) {
    this.#limits = { ...DEFAULT_RATE_LIMITS, ...limits };
    for (const [name, limit] of Object.entries(this.#limits)) {
      if (!Number.isInteger(limit) || limit < 1)
        throw new RangeError(`rate limit for ${name} must be ≥ 1, got ${limit}`);
    }
    this.#realNow = realNow;
  }

  /** Counts one request against the endpoint's window. */
  take(endpoint: EndpointName): RateLimitVerdict {
    const nowMs = this.#realNow();
    const limit = this.#limits[endpoint];
    let window = this.#windows.get(endpoint);
    if (!window || nowMs >= window.resetMs) {
      window = { resetMs: nowMs + RATE_LIMIT_WINDOW_MS, used: 0 };
      this.#windows.set(endpoint, window);
    }
    const allowed = window.used < limit;
    if (allowed) window.used++;
    return { allowed, limit, remaining: limit - window.used, reset: Math.ceil(window.resetMs / 1000) };
  }
}
