import type { FaultOptions } from '../faults.ts';
import { createRandom, type Random } from '../random.ts';
import type { EndpointName } from './rate-limit.ts';

export interface TransportDecision {
  unavailable: boolean;
  drop: boolean;
  truncate: boolean;
  delayMs: number;
  /** answer 429 with a reset this many ms of real time away (0: no storm) */
  stormResetMs: number;
  /** damage one entry of a 200's `data`; the number (0–1) picks which */
  malform: number | null;
}

const NONE: TransportDecision = {
  unavailable: false,
  drop: false,
  truncate: false,
  delayMs: 0,
  stormResetMs: 0,
  malform: null,
};

/**
 * Decides, request after request, which transport fault (if any) hits it. Every request draws the same
 * numbers whatever is enabled, so turning one fault on does not move where the others fall. The storms
 * and damaged entries draw from a stream of their own: adding them moved none of the earlier faults.
 */
export class TransportFaults {
  readonly #options: FaultOptions;
  readonly #random: Random;
  readonly #more: Random;
  readonly #endpoints: ReadonlySet<EndpointName> | undefined;
  readonly #enabled: boolean;
  #burstLeft = 0;
  #stormLeft = 0;

  constructor(options: FaultOptions, seed: number) {
    this.#options = options;
    this.#random = createRandom(options.seed ?? seed, 'faults:transport');
    this.#more = createRandom(options.seed ?? seed, 'faults:transport-more');
    this.#endpoints = options.endpoints ? new Set(options.endpoints) : undefined;
    for (const [name, spec] of Object.entries({
      serviceUnavailable: options.serviceUnavailable,
      slowResponses: options.slowResponses,
      droppedConnections: options.droppedConnections,
      truncatedJson: options.truncatedJson,
      rateLimitStorms: options.rateLimitStorms,
      malformedEntries: options.malformedEntries,
    })) {
      if (spec && !(spec.rate >= 0 && spec.rate <= 1))
        throw new RangeError(`faults: ${name}.rate must be between 0 and 1, got ${spec.rate}`);
    }
    for (const [name, burst] of [
      ['serviceUnavailable', options.serviceUnavailable?.burst ?? 3],
      ['rateLimitStorms', options.rateLimitStorms?.burst ?? 5],
    ] as const) {
      if (!Number.isInteger(burst) || burst < 1)
        throw new RangeError(`faults: ${name}.burst must be an integer ≥ 1, got ${burst}`);
    }
    const resetMs = options.rateLimitStorms?.resetMs ?? 2000;
    if (!(resetMs >= 1)) throw new RangeError(`faults: rateLimitStorms.resetMs must be ≥ 1, got ${resetMs}`);
    this.#enabled = Boolean(
      options.serviceUnavailable ||
        options.slowResponses ||
        options.droppedConnections ||
        options.truncatedJson ||
        options.rateLimitStorms ||
        options.malformedEntries,
    );
  }

  decide(family: EndpointName): TransportDecision {
    if (!this.#enabled) return NONE;
    // Only the targeted endpoints draw: which of their requests meets a fault depends on their own
    // order, not on how other jobs' requests interleave with them (a seed means the same under load).
    if (this.#endpoints && !this.#endpoints.has(family)) return NONE;
    const r = [this.#random.next(), this.#random.next(), this.#random.next(), this.#random.next()];
    const more = [this.#more.next(), this.#more.next(), this.#more.next()];
    const { serviceUnavailable, slowResponses, droppedConnections, truncatedJson } = this.#options;
    const { rateLimitStorms, malformedEntries } = this.#options;
    let unavailable = false;
    if (this.#burstLeft > 0) {
      this.#burstLeft--;
      unavailable = true;
    } else if (serviceUnavailable && (r[0] ?? 1) < serviceUnavailable.rate) {
      this.#burstLeft = (serviceUnavailable.burst ?? 3) - 1;
      unavailable = true;
    }
    let storm = false;
    if (this.#stormLeft > 0) {
      this.#stormLeft--;
      storm = true;
    } else if (rateLimitStorms && (more[0] ?? 1) < rateLimitStorms.rate) {
      this.#stormLeft = (rateLimitStorms.burst ?? 5) - 1;
      storm = true;
    }
    const drop = !unavailable && droppedConnections !== undefined && (r[1] ?? 1) < droppedConnections.rate;
    return {
      unavailable,
      drop,
      truncate: truncatedJson !== undefined && (r[2] ?? 1) < truncatedJson.rate,
      delayMs: slowResponses && (r[3] ?? 1) < slowResponses.rate ? slowResponses.delayMs : 0,
      stormResetMs: storm && !unavailable && !drop ? (rateLimitStorms?.resetMs ?? 2000) : 0,
      malform: malformedEntries && (more[1] ?? 1) < malformedEntries.rate ? (more[2] ?? 0) : null,
    };
  }
}
