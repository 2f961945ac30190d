import { DAY_MS } from '../rhythm.ts';
import type { EndpointName } from './rate-limit.ts';
import type { TierPolicy } from './tiers.ts';

export interface UsageOptions {
  policy: TierPolicy;
  cap: number;
  /** Day of the month (UTC, 1–28) on which the monthly count starts again. */
  resetDay: number;
  realNow: () => number;
  projectId: string;
  clientAppId: string;
}

const DAYS_KEPT = 90;

/**
 * The project's monthly post count, in real time like X's billing: what /2/usage/tweets reports and what
 * the cap is enforced against. Only posts in `data` count, from the tier's capped endpoints.
 */
export class UsageMeter {
  readonly #options: UsageOptions;
  #periodEndMs = Number.NEGATIVE_INFINITY;
  #used = 0;
  readonly #daily = new Map<string, number>();
  #seenDay = '';
  readonly #seenToday = new Set<string>();

  constructor(options: UsageOptions) {
    if (!Number.isInteger(options.resetDay) || options.resetDay < 1 || options.resetDay > 28)
      throw new RangeError(`the cap reset day must be 1–28, got ${options.resetDay}`);
    if (!(options.cap >= 0)) throw new RangeError(`the monthly post cap must be ≥ 0, got ${options.cap}`);
    this.#options = options;
  }

  get used(): number {
    this.#roll();
    return this.#used;
  }

  get cap(): number {
    return this.#options.cap;
  }

  counts(family: EndpointName): boolean {
    return this.#options.policy.capped.has(family);
  }

  capped(): boolean {
    return this.used >= this.#options.cap;
  }

  record(family: EndpointName, postIds: readonly string[]): void {
    if (!this.counts(family) || postIds.length === 0) return;
    this.#roll();
    const day = utcDay(this.#options.realNow());
    if (day !== this.#seenDay) {
      this.#seenDay = day;
      this.#seenToday.clear();
    }
    let counted = 0;
    for (const id of postIds) {
      if (this.#options.policy.oncePerDay) {
        if (this.#seenToday.has(id)) continue;
        this.#seenToday.add(id);
      }
      counted++;
    }
    this.#used += counted;
    this.#daily.set(day, (this.#daily.get(day) ?? 0) + counted);
    if (this.#daily.size > DAYS_KEPT) this.#daily.delete(this.#daily.keys().next().value ?? '');
  }

  /**
   * The `data` of /2/usage/tweets. Counts are strings, as X sends them (its spec says integers);
   * `cap_reset_day` is, as the spec describes it, the number of days left before the count restarts.
   */
  report(days: number, fields: ReadonlySet<string>): Record<string, unknown> {
    this.#roll();
    const nowMs = this.#options.realNow();
    const usage: Array<{ date: string; usage: string }> = [];
    for (let back = days - 1; back >= 0; back--) {
      const day = utcDay(nowMs - back * DAY_MS);
      const count = this.#daily.get(day);
      if (count) usage.push({ date: `${day}T00:00:00.000Z`, usage: String(count) });
    }
    const { projectId, clientAppId } = this.#options;
    return {
      cap_reset_day: Math.ceil((this.#periodEndMs - nowMs) / DAY_MS),
      ...(fields.has('daily_client_app_usage')
        ? {
            daily_client_app_usage: [{ client_app_id: clientAppId, usage, usage_result_count: usage.length }],
          }
        : {}),
      ...(fields.has('daily_project_usage') ? { daily_project_usage: { project_id: projectId, usage } } : {}),
      project_cap: String(this.#options.cap),
      project_id: projectId,
      project_usage: String(this.#used),
    };
  }

  /** Starts a new month of counting once the reset day has come round. */
  #roll(): void {
    const nowMs = this.#options.realNow();
    if (nowMs < this.#periodEndMs) return;
    const now = new Date(nowMs);
    const resetDay = this.#options.resetDay;
    let year = now.getUTCFullYear();
    let month = now.getUTCMonth();
    if (now.getUTCDate() >= resetDay) month++;
    if (month === 12) {
      month = 0;
      year++;
    }
    this.#periodEndMs = Date.UTC(year, month, resetDay);
    this.#used = 0;
  }
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
