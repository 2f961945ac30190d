import { type Random, WeightedSampler } from './random.ts';

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

export type Region = 'window' | 'outside' | 'any';

/**
 * Draws instants over the scenario's span (a day before the window to a day after) following the daily
 * rhythm, restricted to the window, to outside it, or anywhere.
 */
export class TimeSampler {
  readonly #spanStartMs: number;
  readonly #samplers: Record<Region, WeightedSampler>;

  /** `dayWeights[i]` scales local day i of the span; the window covers whole local days. */
  constructor(
    spanStartMs: number,
    windowStartMs: number,
    windowEndMs: number,
    dayWeights: readonly number[],
  ) {
    this.#spanStartMs = spanStartMs;
    const hours = dayWeights.length * 24;
    const inside = new Float64Array(hours);
    const outside = new Float64Array(hours);
    const any = new Float64Array(hours);
    for (let h = 0; h < hours; h++) {
      const startMs = spanStartMs + h * HOUR_MS;
      const localHour = (new Date(startMs).getUTCHours() + PARIS_OFFSET_HOURS) % 24;
      const weight = (HOURLY_WEIGHT[localHour] ?? 0) * (dayWeights[Math.floor(h / 24)] ?? 0);
      const inWindow = startMs >= windowStartMs && startMs < windowEndMs;
      inside[h] = inWindow ? weight : 0;
      outside[h] = inWindow ? 0 : weight;
      any[h] = weight;
    }
    this.#samplers = {
      window: new WeightedSampler(inside),
      outside: new WeightedSampler(outside),
      any: new WeightedSampler(any),
    };
  }

  sample(random: Random, region: Region): number {
    const hour = this.#samplers[region].sample(random);
    return this.#spanStartMs + hour * HOUR_MS + random.int(HOUR_MS);
  }
}
