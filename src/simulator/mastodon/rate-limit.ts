/**
 * One instance's request budget over windows of REAL time (clients wait in wall-clock time whatever the
 * simulated clock says), as Mastodon's rack-attack counts it: every request counts, 300 per 5 minutes by
 * default. A window opens with the first request and ends `windowMs` later.
 */
export class InstanceRateLimit {
  #window: { resetMs: number; used: number } | null = null;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly realNow: () => number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be ≥ 1, got ${limit}`);
  }

  take(): { allowed: boolean; headers: Record<string, string> } {
    const now = this.realNow();
    if (!this.#window || now >= this.#window.resetMs)
      this.#window = { resetMs: now + this.windowMs, used: 0 };
    const allowed = this.#window.used < this.limit;
    if (allowed) this.#window.used++;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(this.limit),
        'X-RateLimit-Remaining': String(this.limit - this.#window.used),
        // Mastodon writes the reset with microseconds: 2026-08-01T13:50:00.924992Z.
        'X-RateLimit-Reset': new Date(this.#window.resetMs).toISOString().replace('Z', '000Z'),
      },
    };
  }
}
