/**
 * The only source of "now" in the application.
 *
 * Production reads the system clock. Tests fix or step time. The demo replays the 2016 summit:
 * the simulator and the application share one ReplayClock, so posts, snapshots and charts
 * sit on one timeline.
 */
export interface Clock {
  now(): Date;
  /** Simulated milliseconds per real millisecond (1 for the system clock). */
  readonly speed: number;
}

export const systemClock: Clock = { now: () => new Date(), speed: 1 };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  readonly speed = 1;
  #ms: number;

  constructor(start: Date | string) {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** Replays time from `start`, `speed` times faster than the wall clock, from the moment it is made. */
export class ReplayClock implements Clock {
  readonly #startMs: number;
  readonly #realStartMs: number;
  readonly #realNow: () => number;

  constructor(
    start: Date | string,
    readonly speed: number,
    realNow: () => number = Date.now,
  ) {
    if (!(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
    this.#startMs = new Date(start).getTime();
    this.#realNow = realNow;
    this.#realStartMs = realNow();
  }

  now(): Date {
    return new Date(this.#startMs + (this.#realNow() - this.#realStartMs) * this.speed);
  }
}

/** The clock a TRACKER_CLOCK setting describes (validated by the config). */
export function clockFrom(setting: string | undefined): Clock {
  if (!setting) return systemClock;
  const [kind, rest = ''] = setting.split(/:(.*)/s);
  const [start = '', speed] = rest.split('@');
  return kind === 'replay' ? new ReplayClock(start, Number(speed)) : new ManualClock(start);
}
