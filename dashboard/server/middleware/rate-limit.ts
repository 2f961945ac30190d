import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from './errors.ts';

export interface RateLimitOptions {
  /** requests per minute and client, on average */
  perMinute: number;
  /** requests a client may send at once after a quiet spell (default: `perMinute`) */
  burst?: number;
  /** clients remembered at most; beyond, the idle ones are forgotten first */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * A token bucket per client address, in this process's memory: enough to stop one client from
 * hammering the database through the API. Clients are told when to come back (`Retry-After`).
 * The address is the TCP peer's: behind a reverse proxy, limit there instead (X-Forwarded-For is
 * whatever the client says, unless a proxy we trust sets it).
 */
export function rateLimit(options: RateLimitOptions) {
  const capacity = options.burst ?? options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, nowMs: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + (nowMs - bucket.atMs) * perMs);
    bucket.atMs = nowMs;
  };
  const forgetIdle = (nowMs: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= capacity) buckets.delete(key);
    }
    // Still full of busy clients: the least recently seen go first (Map keeps insertion order).
    for (const key of buckets.keys()) {
      if (buckets.size < maxClients) break;
      buckets.delete(key);
    }
  };

  return createMiddleware(async (c, next) => {
    const key = clientKey(c);
    const nowMs = Date.now();
    let bucket = buckets.get(key);
    if (bucket) {
      buckets.delete(key);
      refill(bucket, nowMs);
    } else {
      if (buckets.size >= maxClients) forgetIdle(nowMs);
      bucket = { tokens: capacity, atMs: nowMs };
    }
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new ApiError(
        429,
        'rate_limited',
        `too many requests: at most ${options.perMinute} a minute, try again in ${retryAfter} s`,
        { 'Retry-After': String(retryAfter) },
      );
    }
    bucket.tokens -= 1;
    await next();
  });
}

/** The peer address; IPv6 clients by their /64, which one machine usually holds whole. */
function clientKey(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    // app.request() in tests: no socket.
  }
  if (!address) return 'unknown';
  if (address.startsWith('::ffff:')) return address.slice(7);
  if (address.includes(':')) return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function expandIPv6(address: string): string[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Array(Math.max(0, 8 - left.length - right.length)).fill('0') : [];
  return [...left, ...zeros, ...right];
}
