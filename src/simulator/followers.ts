import { HOUR_MS, type Span, type WindowRhythm } from './rhythm.ts';

/** Followers as a deterministic function of time (ms since 1970). */
export interface FollowerCurve {
  at(ms: number): number;
}

/**
 * Followers that grow with the account's own campaign activity: a steady background gain over the span
 * (a smoothstep: flat before, flat after) plus an activity gain that accrues day by day in proportion to
 * the posts planned for that day, spread along the day's rhythm. Never decreasing.
 */
export class ActivityGrowth implements FollowerCurve {
  readonly #total: number;

  constructor(
    readonly base: number,
    readonly backgroundGain: number,
    readonly activityGain: number,
    readonly span: Span,
    readonly rhythm: WindowRhythm,
    /** Campaign posts per window day of this account. */
    readonly perDay: ArrayLike<number>,
  ) {
    let total = 0;
    for (let day = 0; day < rhythm.days; day++) total += perDay[day] ?? 0;
    this.#total = total;
  }

  at(ms: number): number {
    const x = Math.min(1, Math.max(0, (ms - this.span.startMs) / (this.span.endMs - this.span.startMs)));
    return Math.round(
      this.base + this.backgroundGain * x * x * (3 - 2 * x) + this.activityGain * this.#activityShare(ms),
    );
  }

  /** Share of the account's window activity that lies before `ms`. */
  #activityShare(ms: number): number {
    if (this.#total === 0) return 0;
    const { day, share } = this.rhythm.position(ms);
    let before = 0;
    for (let d = 0; d < Math.min(day, this.rhythm.days); d++) before += this.perDay[d] ?? 0;
    if (day >= 0 && day < this.rhythm.days) before += (this.perDay[day] ?? 0) * share;
    return before / this.#total;
  }
}

/** Linear interpolation between values at regular knots; constant beyond the first and the last knot. */
export class KnotCurve implements FollowerCurve {
  constructor(
    readonly startMs: number,
    readonly stepMs: number,
    readonly values: Float64Array,
  ) {}

  at(ms: number): number {
    const position = (ms - this.startMs) / this.stepMs;
    const last = this.values.length - 1;
    if (position <= 0) return Math.round(this.values[0] ?? 0);
    if (position >= last) return Math.round(this.values[last] ?? 0);
    const i = Math.floor(position);
    const a = this.values[i] ?? 0;
    const b = this.values[i + 1] ?? a;
    return Math.round(a + (b - a) * (position - i));
  }
}

export interface HomeFollowerTargets {
  spanStart: number;
  windowStart: number;
  windowEnd: number;
  spanEnd: number;
}

/**
 * The home account's followers: a slow rise the day before, then during the window a rise in step with
 * its own posting (each hour's gain proportional to what it posts that hour, plus a little background),
 * landing exactly on the window-end target, then a slow rise the day after. Hourly knots, never decreasing.
 */
export function homeFollowerCurve(
  postsPerWindowHour: ArrayLike<number>,
  span: Span,
  targets: HomeFollowerTargets,
): KnotCurve {
  const before = Math.round((span.windowStartMs - span.startMs) / HOUR_MS);
  const during = Math.round((span.windowEndMs - span.windowStartMs) / HOUR_MS);
  const after = Math.round((span.endMs - span.windowEndMs) / HOUR_MS);
  const activity = new Float64Array(during);
  for (let hour = 0; hour < during; hour++) activity[hour] = 0.3 + (postsPerWindowHour[hour] ?? 0);
  const total = activity.reduce((sum, value) => sum + value, 0);
  const values = new Float64Array(before + during + after + 1);
  for (let h = 0; h <= before; h++) {
    values[h] = targets.spanStart + ((targets.windowStart - targets.spanStart) * h) / before;
  }
  let cumulative = 0;
  for (let h = 0; h < during; h++) {
    cumulative += activity[h] ?? 0;
    values[before + h + 1] =
      targets.windowStart + ((targets.windowEnd - targets.windowStart) * cumulative) / total;
  }
  // Exact landing on the target, whatever floating-point sums did.
  values[before + during] = targets.windowEnd;
  for (let h = 1; h <= after; h++) {
    values[before + during + h] = targets.windowEnd + ((targets.spanEnd - targets.windowEnd) * h) / after;
  }
  return new KnotCurve(span.startMs, HOUR_MS, values);
}
