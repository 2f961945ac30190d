/** The nearest-rank value at quantile `q` of `values` (the upper middle one for the median); NaN when empty. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
}

export const median = (values: number[]): number => quantile(values, 0.5);
