/**
 * X ids. Post ids (and users created since 2013) are snowflakes: milliseconds since X's epoch in the high
 * bits, worker and sequence in the low 22 bits. They exceed 2^53, so they are computed with BigInt and
 * carried as decimal strings — a JS number would silently round them.
 */
export const X_EPOCH_MS = 1288834974657n;
const LOW_BITS = 22n;
export const SNOWFLAKE_LOW_LIMIT = 1 << 22;

/** The snowflake id of something created at `ms` with the given low 22 bits (worker + sequence). */
export function snowflakeId(ms: number, low: number): bigint {
  if (!Number.isInteger(low) || low < 0 || low >= SNOWFLAKE_LOW_LIMIT) {
    throw new RangeError(`snowflake low bits out of range: ${low}`);
  }
  return ((BigInt(ms) - X_EPOCH_MS) << LOW_BITS) | BigInt(low);
}

/** Creation time (ms since 1970) encoded in a snowflake id. */
export function snowflakeTime(id: bigint | string): number {
  return Number((BigInt(id) >> LOW_BITS) + X_EPOCH_MS);
}

/** The smallest snowflake of the given millisecond: `id >= snowflakeFloor(t)` ⇔ created at or after t. */
export function snowflakeFloor(ms: number): bigint {
  return (BigInt(Math.max(ms, Number(X_EPOCH_MS))) - X_EPOCH_MS) << LOW_BITS;
}
