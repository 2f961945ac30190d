import { DEFAULT_RATE_LIMITS, type EndpointName } from './rate-limit.ts';

/**
 * X's access tiers as the collector meets them: request limits per endpoint and 15 minutes, endpoints the
 * tier is not enrolled in (403 client-not-enrolled), and a monthly cap on the posts read.
 *
 * The figures are a snapshot of X's published tables (Basic and Pro from the 2023–2025 tables and "Tweet
 * caps" page, pay-per-use from the 2026 pricing: every post read counts, the same post read twice in one
 * UTC day once). X changes them often and observed limits differ again: clients must read the headers,
 * and tests pick the numbers they need with `rateLimits` and `monthlyPostCap`. X also has 24-hour windows
 * on some Basic endpoints; the simulator keeps every window at 15 minutes.
 */
export type AccessTier = 'basic' | 'pro' | 'pay-per-use';

export interface TierPolicy {
  /** As X names the product in a usage-cap 429. */
  productName: string;
  limits: Record<EndpointName, number>;
  notEnrolled: ReadonlySet<EndpointName>;
  monthlyPostCap: number;
  /** Families whose returned posts count toward the cap. */
  capped: ReadonlySet<EndpointName>;
  /** The same post read twice in one UTC day counts once. */
  oncePerDay: boolean;
}

/** Search, archive search and timelines: the endpoints of X's classic "Tweet cap". */
const TWEET_CAP_ENDPOINTS: ReadonlySet<EndpointName> = new Set(['search', 'searchAll', 'timelines']);

export const TIERS: Readonly<Record<AccessTier, TierPolicy>> = {
  basic: {
    productName: 'standard-basic',
    limits: {
      search: 60,
      searchAll: 1,
      counts: 1,
      countsAll: 1,
      users: 100,
      timelines: 10,
      tweets: 15,
      usage: 50,
    },
    notEnrolled: new Set(['searchAll', 'counts', 'countsAll']),
    monthlyPostCap: 10_000,
    capped: TWEET_CAP_ENDPOINTS,
    oncePerDay: false,
  },
  pro: {
    productName: 'standard-pro',
    limits: {
      search: 450,
      searchAll: 300,
      counts: 300,
      countsAll: 300,
      users: 300,
      timelines: 1500,
      tweets: 450,
      usage: 50,
    },
    notEnrolled: new Set(),
    monthlyPostCap: 1_000_000,
    capped: TWEET_CAP_ENDPOINTS,
    oncePerDay: false,
  },
  'pay-per-use': {
    productName: 'pay-per-use',
    limits: {
      search: 450,
      searchAll: 300,
      counts: 300,
      countsAll: 300,
      users: 300,
      timelines: 1500,
      tweets: 3500,
      usage: 50,
    },
    notEnrolled: new Set(),
    monthlyPostCap: 2_000_000,
    capped: new Set([...TWEET_CAP_ENDPOINTS, 'tweets']),
    oncePerDay: true,
  },
};

/**
 * No tier named: today's generous limits, every endpoint, and a cap nobody reaches (the largest int32,
 * the type X's spec gives it), so tests and the demo never meet it unless they ask.
 */
export const UNTIERED: TierPolicy = {
  productName: 'simulator',
  limits: { ...DEFAULT_RATE_LIMITS },
  notEnrolled: new Set(),
  monthlyPostCap: 2_147_483_647,
  capped: TWEET_CAP_ENDPOINTS,
  oncePerDay: false,
};
