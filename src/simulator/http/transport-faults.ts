import type { FaultOptions } from '../faults.ts';
import { createRandom, type Random } from '../random.ts';
import type { EndpointName } from './rate-limit.ts';

export interface TransportDecision {
  unavailable: boolean;
  drop: boolean;
  truncate: boolean;
  delayMs: number;
}

const NONE: TransportDecision = { unavailable: false, drop: false, truncate: false, delayMs: 0 };

/**
 * Decides, request after request, which transport fault (if any) hits it. Every request draws the same
 * four numbers whatever is enabled, so turning one fault on does not move where the others fall.
 */
export class TransportFaults {
  readonly #options: FaultOptions;
  readonly #random: Random;
  readonly #endpoints: ReadonlySet<EndpointName> | undefined;
  readonly #enabled: boolean;
  #burstLeft = 0;

  constructor(options: FaultOptions, seed: number) {
    this.#options = options;
    this.#random = createRandom(options.seed ?? seed, 'faults:transport');
    this.#endpoints = options.endpoints ? new Set(options.endpoints) : undefined;
    for (const [name, spec] of Object.entries({
      serviceUnavailable: options.serviceUnavailable,
      slowResponses: options.slowResponses,
      droppedConnections: options.droppedConnections,
      truncatedJson: options.truncatedJson,
    })) {
      if (spec && !(spec.rate >= 0 && spec.rate <= 1))
        throw new RangeError(`faults: ${name}.rate must be between 0 and 1, got ${spec.rate}`);
    }
    const burst = options.serviceUnavailable?.burst ?? 3;
    if (!Number.isInteger(burst) || burst < 1)
      throw new RangeError(`faults: serviceUnavailable.burst must be an integer ≥ 1, got ${burst}`);
    this.#enabled = Boolean(
      options.serviceUnavailable ||
        options.slowResponses ||
        options.droppedConnections ||
        options.truncatedJson,
    );
  }

  decide(family: EndpointName): TransportDecision {
    if (!this.#enabled) return NONE;
    const r = [this.#random.next(), this.#random.next(), this.#random.next(), this.#random.next()];
    if (this.#endpoints && !this.#endpoints.has(family)) return NONE;
    const { serviceUnavailable, slowResponses, droppedConnections, truncatedJson } = this.#options;
    let unavailable = false;
    if (this.#burstLeft > 0) {
      this.#burstLeft--;
      unavailable = true;
    } else if (serviceUnavailable && (r[0] ?? 1) < serviceUnavailable.rate) {
      this.#burstLeft = (serviceUnavailable.burst ?? 3) - 1;
      unavailable = true;
    }
    return {
      unavailable,
      drop: !unavailable && droppedConnections !== undefined && (r[1] ?? 1) < droppedConnections.rate,
      truncate: truncatedJson !== undefined && (r[2] ?? 1) < truncatedJson.rate,
      delayMs: slowResponses && (r[3] ?? 1) < slowResponses.rate ? slowResponses.delayMs : 0,
    };
  }
}
