/**
 * Rows keyed on X ids, one per id and in ascending id order. Concurrent transactions that write
 * overlapping rows (two queries matching the same posts, by the same authors) then take their row
 * locks in the same order and cannot deadlock.
 */
export function uniqueById<T>(items: T[], id: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(id(item), item);
  return [...byId.entries()].sort(([a], [b]) => compareIds(a, b)).map(([, item]) => item);
}

/** Numeric order of decimal id strings without converting them to numbers. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
