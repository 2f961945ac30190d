/**
 * Bluesky's rate limits, as its servers announce them: fixed windows of real time, `RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset` (epoch seconds) and `RateLimit-Policy` (`<limit>;w=<seconds>`)
 * on every answer, 429 RateLimitExceeded beyond. Families: `session` (createSession and refreshSession,
 * tightly limited on bsky.social), `service` (the account's other requests to its service: search, getSession), `appview` (the
 * public AppView's feeds, profiles and posts, limited per IP).
 */
export type BlueskyFamily = 'session' | 'service' | 'appview';

/** bsky.social's published budgets: 3,000 requests per 5 minutes, 30 sessions per 5 minutes. */
export const DEFAULT_BLUESKY_LIMITS: Readonly<Record<BlueskyFamily, number>> = {
  session: 30,
  service: 3000,
  appview: 3000,
};
export const DEFAULT_BLUESKY_WINDOW_MS = 5 * 60 * 1000;

export interface Verdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export class BlueskyRateLimiter {
  readonly #windows = new Map<BlueskyFamily, { resetMs: number; used: number }>();

  constructor(
    readonly limits: Readonly<Record<BlueskyFamily, number>>,
    readonly windowMs: number,
    readonly realNow: () => number,
  ) {
    for (const [family, limit] of Object.entries(limits)) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit for ${family} must be ≥ 1`);
    }
    if (!(windowMs >= 1000))
      throw new RangeError(`a rate-limit window lasts at least 1 s, not ${windowMs} ms`);
  }

  take(family: BlueskyFamily): Verdict {
    const nowMs = this.realNow();
    const limit = this.limits[family];
    let window = this.#windows.get(family);
    if (!window || nowMs >= window.resetMs) {
      window = { resetMs: nowMs + this.windowMs, used: 0 };
      this.#windows.set(family, window);
    }
    const allowed = window.used < limit;
    if (allowed) window.used++;
    return {
      allowed,
      headers: {
        'RateLimit-Limit': String(limit),
        'RateLimit-Remaining': String(limit - window.used),
        'RateLimit-Reset': String(Math.ceil(window.resetMs / 1000)),
        'RateLimit-Policy': `${limit};w=${Math.round(this.windowMs / 1000)}`,
      },
    };
  }
}
