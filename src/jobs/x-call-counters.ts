import type { Redis } from 'ioredis';

/**
 * Counters of the X requests the workers make, kept in Redis: workers run in other processes than
 * the dashboard, whose /metrics reads them. One hash counts answers by endpoint and status, one
 * keeps the last `x-rate-limit-remaining` X sent per endpoint.
 */

export interface XResponseObservation {
  /** the request's path, e.g. `/2/tweets/search/recent` (ids in it are folded into `:id`) */
  endpoint: string;
  /** HTTP status; 0 for a request that got no answer (network error, timeout) */
  status: number;
  /** `x-rate-limit-remaining` of the answer, when X sent one */
  rateLimitRemaining?: number | undefined;
}

export interface XCallCounters {
  requests: Array<{ endpoint: string; status: number; count: number }>;
  rateLimitRemaining: Array<{ endpoint: string; remaining: number }>;
}

/** Under the BullMQ prefix, so that a test's (or the demo's) counters stay its own. */
export const xCallCounterKeys = (prefix: string) => ({
  requests: `${prefix}:x-metrics:requests`,
  rateLimitRemaining: `${prefix}:x-metrics:rate-limit-remaining`,
});

/**
 * One label value per endpoint, not per user or post: `/2/users/12345/tweets` → `/2/users/:id/tweets`
 * (the leading `/2` is the API version). Query strings are dropped (they carry the search terms).
 */
export function endpointLabel(endpoint: string): string {
  const path = (endpoint.split(/[?#]/, 1)[0] ?? '').replace(/^https?:\/\/[^/]+/i, '');
  const segments = path.split('/');
  const version = segments.findIndex((segment) => segment !== '');
  const label = segments
    .map((segment, i) => (/^\d+$/.test(segment) && !(i === version && segment.length <= 2) ? ':id' : segment))
    .join('/');
  return label.slice(0, 100) || '/';
}

/** Counts one X answer. Called by the workers for every response (the XClient observer). */
export async function recordXResponse(
  redis: Redis,
  prefix: string,
  observation: XResponseObservation,
): Promise<void> {
  const keys = xCallCounterKeys(prefix);
  const endpoint = endpointLabel(observation.endpoint);
  const status = Number.isInteger(observation.status) ? observation.status : 0;
  // "<status> <endpoint>": the status has no space, the endpoint is whatever follows the first one.
  const multi = redis.multi().hincrby(keys.requests, `${status} ${endpoint}`, 1);
  const remaining = observation.rateLimitRemaining;
  if (remaining !== undefined && Number.isFinite(remaining)) {
    multi.hset(keys.rateLimitRemaining, endpoint, String(remaining));
  }
  await multi.exec();
}

/** What `recordXResponse` has counted under `prefix`. */
export async function readXCallCounters(redis: Redis, prefix: string): Promise<XCallCounters> {
  const keys = xCallCounterKeys(prefix);
  const [requests, remaining] = await Promise.all([
    redis.hgetall(keys.requests),
    redis.hgetall(keys.rateLimitRemaining),
  ]);
  return {
    requests: Object.entries(requests).flatMap(([field, count]) => {
      const space = field.indexOf(' ');
      const status = Number(field.slice(0, space));
      return space > 0 && Number.isInteger(status)
        ? [{ endpoint: field.slice(space + 1), status, count: Number(count) }]
        : [];
    }),
    rateLimitRemaining: Object.entries(remaining).map(([endpoint, value]) => ({
      endpoint,
      remaining: Number(value),
    })),
  };
}
