import type { Config } from '../config.ts';

/** What X charges, in US dollars: per post read, per user read, per counts request. */
export interface PriceTable {
  postRead: number;
  userRead: number;
  countsRequest: number;
}

/** X's published pay-per-use prices (February 2026): the defaults of the X_PRICE_* settings. */
export const publishedPrices: PriceTable = { postRead: 0.005, userRead: 0.01, countsRequest: 0.005 };

export function pricesFrom(config: Config): PriceTable {
  return {
    postRead: config.X_PRICE_POST_READ,
    userRead: config.X_PRICE_USER_READ,
    countsRequest: config.X_PRICE_COUNTS_REQUEST,
  };
}

/** What a request costs or may cost: the resources it reads and the counts requests it is. */
export interface ReadCost {
  posts: number;
  users: number;
  countsRequests?: number;
}

/**
 * Cost in millionths of a dollar, so that sums over a month stay exact (0.1 + 0.2 is not 0.3 in
 * floating point, and a budget check must not flip on a rounding error).
 */
export function costMicros(prices: PriceTable, cost: ReadCost): number {
  const micros = (usd: number) => Math.round(usd * 1e6);
  return (
    cost.posts * micros(prices.postRead) +
    cost.users * micros(prices.userRead) +
    (cost.countsRequests ?? 0) * micros(prices.countsRequest)
  );
}

/**
 * $1,234.50 for people: cents, and a tenth of a cent when there is one ($49.995, not a rounded-up
 * $50.00 next to a $50 budget it has not reached).
 */
export function formatUsd(micros: number): string {
  const usd = micros / 1e6;
  const digits = micros % 10_000 === 0 ? 2 : 3;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}
