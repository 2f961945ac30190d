import { Redis } from 'ioredis';
import { withTimeout } from './timeout.ts';

/**
 * The dashboard's own Redis connection for short commands (readiness, metrics, announcing admin
 * changes), apart from the subscription and the queues: a command that waits on a lost server
 * fails after `timeoutMs` instead of holding the request.
 */
export interface OpsRedis {
  run<T>(command: (redis: Redis) => Promise<T>, timeoutMs?: number): Promise<T>;
  close(): void;
}

export function connectOpsRedis(url: string): OpsRedis {
  let redis: Redis | undefined;
  const client = () => {
    if (!redis) {
      redis = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
      });
      // Failures surface in the commands' answers (/readyz names them); nothing to log here.
      redis.on('error', () => {});
      redis.connect().catch(() => {});
    }
    return redis;
  };
  return {
    run: (command, timeoutMs = 2000) => withTimeout(command(client()), timeoutMs, 'answer from Redis'),
    close() {
      redis?.disconnect();
      redis = undefined;
    },
  };
}
