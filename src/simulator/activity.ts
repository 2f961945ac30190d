/**
 * How many campaign posts (in the window, matching a query, not reposts) each account writes.
 *
 * Counts follow a Zipf–Mandelbrot law — a few accounts live-tweet hundreds of posts, most post once —
 * with a floor of one, so every account of the scenario is on the leaderboard. The top four are made
 * strictly decreasing so the account given the third value is n°3 with no tie on either side.
 */
export function campaignPostCounts(total: number, accounts: number, exponent = 1, offset = 8): Int32Array {
  if (total < accounts + 12) {
    throw new RangeError(
      `${total} campaign posts cannot give ${accounts} accounts one post each and a podium`,
    );
  }
  const counts = new Int32Array(accounts).fill(1);
  const rest = total - accounts;
  const weights = new Float64Array(accounts);
  let weightSum = 0;
  for (let i = 0; i < accounts; i++) {
    weights[i] = 1 / (i + offset) ** exponent;
    weightSum += weights[i] ?? 0;
  }
  // Largest-remainder rounding keeps the exact total and the descending order.
  const remainders: Array<{ index: number; fraction: number }> = [];
  let given = 0;
  for (let i = 0; i < accounts; i++) {
    const quota = (rest * (weights[i] ?? 0)) / weightSum;
    const whole = Math.floor(quota);
    counts[i] = (counts[i] ?? 1) + whole;
    given += whole;
    remainders.push({ index: i, fraction: quota - whole });
  }
  remainders.sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (let k = 0; k < rest - given; k++) {
    const index = remainders[k]?.index ?? 0;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  counts.sort().reverse();
  for (let i = 2; i >= 0; i--) {
    counts[i] = Math.max(counts[i] ?? 0, (counts[i + 1] ?? 0) + 1);
  }
  return counts;
}
