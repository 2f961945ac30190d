import type { Config } from '../config.ts';
import { maxPageSize } from '../networks/x/fields.ts';

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

/**
 * The most one request can read. Pages expand only `author_id`, so a page of 100 posts brings at
 * most 100 users; a lookup reads at most what it asks for (and the posts' authors).
 */
export const worstCase = {
  searchPage: { posts: maxPageSize.search, users: maxPageSize.search },
  archivePage: { posts: maxPageSize.archive, users: maxPageSize.archive },
  timelinePage: { posts: maxPageSize.timeline, users: maxPageSize.timeline },
  postsLookup: (ids: number): ReadCost => ({ posts: ids, users: ids }),
  usersLookup: (ids: number): ReadCost => ({ posts: 0, users: ids }),
  countsRequest: { posts: 0, users: 0, countsRequests: 1 },
} as const;

export interface MonthSpan {
  start: Date;
  /** first instant of the next month: when a paused campaign resumes */
  end: Date;
}

export function utcMonth(now: Date): MonthSpan {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

export const usdToMicros = (usd: string | number): number => Math.round(Number(usd) * 1e6);
