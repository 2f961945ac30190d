/**
 * Seeded pseudo-random numbers. Every random choice of the scenario goes through here, so the same
 * seed gives byte-identical scenarios on every machine (Math.random would not).
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** exp(N(mu, sigma)): the heavy right tail of follower counts and engagement. */
  logNormal(mu: number, sigma: number): number;
  /** Rounds x up or down at random so that the expected value stays x (keeps small rates non-zero on average). */
  roundStochastic(x: number): number;
}

/**
 * A generator for one purpose of one seed. Separate streams (`names`, `times`…) keep one aspect of the
 * scenario stable when the code drawing another aspect changes.
 */
export function createRandom(seed: number, stream = ''): Random {
  const [a, b, c, d] = hashSeed(`${seed}:${stream}`);
  const next = sfc32(a, b, c, d);
  // sfc32 needs a few rounds before similar seeds diverge.
  for (let i = 0; i < 15; i++) next();
  return {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    normal() {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    logNormal(mu, sigma) {
      const u = 1 - next();
      const v = next();
      return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    },
    roundStochastic(x) {
      const floor = Math.floor(x);
      return next() < x - floor ? floor + 1 : floor;
    },
  };
}

/** Small Fast Counter (PractRand-tested, 128-bit state); plenty for simulation, not for secrets. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** cyrb128: spreads a short string over four 32-bit words to seed sfc32. */
function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/**
 * Draws indices in proportion to fixed non-negative weights, in O(log n) per draw
 * (binary search over the cumulative sums).
 */
export class WeightedSampler {
  readonly #cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    this.#cumulative = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      sum += weights[i] ?? 0;
      this.#cumulative[i] = sum;
    }
    if (!(sum > 0)) throw new RangeError('weighted sampler needs a positive total weight');
  }

  get total(): number {
    return this.#cumulative[this.#cumulative.length - 1] ?? 0;
  }

  sample(random: Random): number {
    const target = random.next() * this.total;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Binomial(n, p): exact for small n·p (counting or waiting times), normal approximation past that.
 * Deterministic for a given Random; used to split totals over hours without drawing every item.
 */
export function binomial(random: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(random, n, 1 - p);
  if (n <= 40) {
    let successes = 0;
    for (let i = 0; i < n; i++) if (random.next() < p) successes++;
    return successes;
  }
  const mean = n * p;
  if (mean < 25) {
    // Waiting times: the gaps between successes are geometric, so the cost is O(n·p), not O(n).
    const logQ = Math.log(1 - p);
    let successes = 0;
    let position = Math.floor(Math.log(1 - random.next()) / logQ);
    while (position < n) {
      successes++;
      position += 1 + Math.floor(Math.log(1 - random.next()) / logQ);
    }
    return successes;
  }
  const drawn = Math.round(mean + Math.sqrt(mean * (1 - p)) * random.normal());
  return Math.min(n, Math.max(0, drawn));
}

/**
 * A bag of counted items (a Fenwick tree over the counts): draws one item in proportion to what is left
 * of it and takes it out, in O(log n). Drawing until empty gives every item exactly its count.
 */
export class CountBag {
  readonly #tree: Float64Array;
  readonly #size: number;
  #total = 0;

  constructor(counts: ArrayLike<number>) {
    this.#size = counts.length;
    this.#tree = new Float64Array(this.#size + 1);
    for (let i = 0; i < this.#size; i++) {
      const count = counts[i] ?? 0;
      if (count < 0 || !Number.isInteger(count)) throw new RangeError(`bad count ${count} at ${i}`);
      this.#total += count;
      for (let k = i + 1; k <= this.#size; k += k & -k) this.#tree[k] = (this.#tree[k] ?? 0) + count;
    }
  }

  get total(): number {
    return this.#total;
  }

  take(random: Random): number {
    if (this.#total <= 0) throw new RangeError('take from an empty bag');
    let target = random.int(this.#total);
    let position = 0;
    for (let step = 1 << Math.floor(Math.log2(this.#size)); step > 0; step >>= 1) {
      const next = position + step;
      const here = this.#tree[next] ?? 0;
      if (next <= this.#size && here <= target) {
        position = next;
        target -= here;
      }
    }
    for (let k = position + 1; k <= this.#size; k += k & -k) this.#tree[k] = (this.#tree[k] ?? 0) - 1;
    this.#total--;
    return position;
  }
}
