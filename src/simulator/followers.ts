import { HOUR_MS } from './rhythm.ts';

/** Followers as a deterministic function of time (ms since 1970). */
export interface FollowerCurve {
  at(ms: number): number;
}

/** Steady growth over [fromMs, toMs] along a smoothstep: flat before, flat after, never decreasing. */
export class SmoothGrowth implements FollowerCurve {
  constructor(
    readonly base: number,
    readonly gain: number,
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  at(ms: number): number {
    const x = Math.min(1, Math.max(0, (ms - this.fromMs) / (this.toMs - this.fromMs)));
    return Math.round(this.base + this.gain * x * x * (3 - 2 * x));
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
 * its own posting (each hour's gain proportional to what it posted, plus a little background), landing
 * exactly on the window-end target, then a slow rise the day after. Hourly knots, never decreasing.
 */
export function homeFollowerCurve(
  postTimesMs: readonly number[],
  span: { startMs: number; windowStartMs: number; windowEndMs: number; endMs: number },
  targets: HomeFollowerTargets,
): KnotCurve {
  const before = Math.round((span.windowStartMs - span.startMs) / HOUR_MS);
  const during = Math.round((span.windowEndMs - span.windowStartMs) / HOUR_MS);
  const after = Math.round((span.endMs - span.windowEndMs) / HOUR_MS);
  const activity = new Float64Array(during).fill(0.3);
  for (const ms of postTimesMs) {
    const hour = Math.floor((ms - span.windowStartMs) / HOUR_MS);
    if (hour >= 0 && hour < during) activity[hour] = (activity[hour] ?? 0) + 1;
  }
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
