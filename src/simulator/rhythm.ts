export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Paris is UTC+1 all through December (no DST change near the summit), so local hours are a fixed shift;
 * a general time-zone library would only hide that assumption.
 */
const PARIS_OFFSET_HOURS = 1;

/** Relative activity by local hour: quiet nights, a morning ramp, sessions all day, a thinner evening. */
const HOURLY_WEIGHT = [
  0.12, 0.07, 0.04, 0.03, 0.03, 0.05, 0.12, 0.3, 0.65, 0.95, 1, 0.95, 0.75, 0.8, 0.95, 1, 0.92, 0.8, 0.62,
  0.5, 0.45, 0.38, 0.28, 0.18,
] as const;

/** The scenario's time frame: a day before the window to a day after, in whole local days. */
export interface Span {
  startMs: number;
  windowStartMs: number;
  windowEndMs: number;
  endMs: number;
}

/**
 * Activity weight of every hour of the span (the daily rhythm times the weight of its local day),
 * restricted to the window, to outside it, or anywhere. Hour h starts at `span.startMs + h·HOUR_MS`.
 */
export interface HourWeights {
  readonly hours: number;
  readonly window: Float64Array;
  readonly outside: Float64Array;
  readonly any: Float64Array;
  /** Index of the first hour of the window. */
  readonly windowFirstHour: number;
  readonly windowHours: number;
}

/** `dayWeights[i]` scales local day i of the span; the window covers whole local days. */
export function hourWeights(span: Span, dayWeights: readonly number[]): HourWeights {
  const hours = dayWeights.length * 24;
  const window = new Float64Array(hours);
  const outside = new Float64Array(hours);
  const any = new Float64Array(hours);
  let windowFirstHour = -1;
  let windowHours = 0;
  for (let h = 0; h < hours; h++) {
    const startMs = span.startMs + h * HOUR_MS;
    const localHour = (new Date(startMs).getUTCHours() + PARIS_OFFSET_HOURS) % 24;
    const weight = (HOURLY_WEIGHT[localHour] ?? 0) * (dayWeights[Math.floor(h / 24)] ?? 0);
    const inWindow = startMs >= span.windowStartMs && startMs < span.windowEndMs;
    if (inWindow) {
      if (windowFirstHour < 0) windowFirstHour = h;
      windowHours++;
    }
    window[h] = inWindow ? weight : 0;
    outside[h] = inWindow ? 0 : weight;
    any[h] = weight;
  }
  if (windowFirstHour < 0 || windowHours % 24 !== 0) throw new RangeError('the window must cover whole days');
  return { hours, window, outside, any, windowFirstHour, windowHours };
}

/**
 * How far into the window's own rhythm an instant is: 0 at the window's start, 1 at its end, moving
 * fast during busy hours and slowly at night. Per day, so activity planned per day can be spread over it.
 */
export class WindowRhythm {
  readonly days: number;
  readonly #windowStartMs: number;
  readonly #weights: HourWeights;
  /** Share of each window day's weight elapsed at the start of each window hour. */
  readonly #elapsed: Float64Array;
  readonly #dayTotals: Float64Array;

  constructor(span: Span, weights: HourWeights) {
    this.days = weights.windowHours / 24;
    this.#windowStartMs = span.windowStartMs;
    this.#weights = weights;
    this.#elapsed = new Float64Array(weights.windowHours);
    this.#dayTotals = new Float64Array(this.days);
    for (let day = 0; day < this.days; day++) {
      let sum = 0;
      for (let h = 0; h < 24; h++) sum += this.#weightOf(day * 24 + h);
      this.#dayTotals[day] = sum;
      let elapsed = 0;
      for (let h = 0; h < 24; h++) {
        this.#elapsed[day * 24 + h] = elapsed / sum;
        elapsed += this.#weightOf(day * 24 + h);
      }
    }
  }

  /** Total weight of window day `day` (0-based). */
  dayTotal(day: number): number {
    return this.#dayTotals[day] ?? 0;
  }

  /** The window day of `ms` and the share of that day's activity already past (day −1 before, `days` after). */
  position(ms: number): { day: number; share: number } {
    const hoursIn = (ms - this.#windowStartMs) / HOUR_MS;
    if (hoursIn < 0) return { day: -1, share: 1 };
    if (hoursIn >= this.days * 24) return { day: this.days, share: 0 };
    const hour = Math.floor(hoursIn);
    const day = Math.floor(hour / 24);
    const total = this.#dayTotals[day] ?? 1;
    const share = (this.#elapsed[hour] ?? 0) + ((hoursIn - hour) * this.#weightOf(hour)) / total;
    return { day, share: Math.min(1, share) };
  }

  #weightOf(windowHour: number): number {
    return this.#weights.window[this.#weights.windowFirstHour + windowHour] ?? 0;
  }
}
