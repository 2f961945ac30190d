import { compareIds } from '../db/ids.ts';

/**
 * Standard competition ranking, in one place for every board computed outside SQL (watchlist scope,
 * follower metrics, movement counts). SQL boards use the same rules: `rank() over (order by value
 * desc)` and display order `value desc, lower(username) collate "C", id`.
 */

export interface Scored {
  accountId: string;
  username: string;
  value: number;
}

export type Ranked<T extends Scored> = T & { rank: number };

/** Display order: value descending, then username case-insensitively in code-unit order, then id. */
export function compareForDisplay(a: Scored, b: Scored): number {
  return (
    b.value - a.value ||
    compareCodeUnits(a.username.toLowerCase(), b.username.toLowerCase()) ||
    compareIds(a.accountId, b.accountId)
  );
}

/** Rows in display order with their rank (1, 2, 2, 4): equal values share the rank of the first. */
export function rankRows<T extends Scored>(rows: readonly T[]): Array<Ranked<T>> {
  const sorted = [...rows].sort(compareForDisplay);
  let rank = 0;
  return sorted.map((row, index) => {
    if (index === 0 || sorted[index - 1]?.value !== row.value) rank = index + 1;
    return { ...row, rank };
  });
}

/**
 * Counts of values, highest first, to answer "how many are above v" repeatedly: the rank of v is
 * one plus that count.
 */
export class ValueCounts {
  readonly #values: number[];
  /** #above[i]: how many values are strictly above #values[i] */
  readonly #above: number[];
  readonly #total: number;

  constructor(counts: Iterable<{ value: number; count: number }>) {
    const merged = new Map<number, number>();
    for (const { value, count } of counts) merged.set(value, (merged.get(value) ?? 0) + count);
    this.#values = [...merged.keys()].sort((a, b) => b - a);
    this.#above = [];
    let running = 0;
    for (const value of this.#values) {
      this.#above.push(running);
      running += merged.get(value) ?? 0;
    }
    this.#total = running;
  }

  /** How many counted values are strictly greater than `value`. */
  countAbove(value: number): number {
    // First position whose value is <= `value`: everything before it is above.
    let lo = 0;
    let hi = this.#values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#values[mid] ?? 0) > value) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.#values.length ? (this.#above[lo] ?? 0) : this.#total;
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
