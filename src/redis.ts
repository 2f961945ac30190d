import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from './log.ts';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

export interface RedisHandle {
  url: string;
  /** stops the private redis-server, if this process started one */
  close(): Promise<void>;
}

/** True when a Redis server answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Redis at `url`, or, when nothing answers there and `redis-server` is installed, a private one on
 * a free loopback port for the life of this process (the demo should not need a setup step).
 */
export async function ensureRedis(url: string, log: Logger): Promise<RedisHandle> {
  if (await redisAnswers(url)) return { url, close: async () => {} };
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ],
    { stdio: 'ignore' },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  const hint =
    'start Redis (apt-get install redis-server, or docker run -p 6379:6379 redis) or set REDIS_URL';
  if (!spawned)
    throw new RedisUnavailableError(
      `no Redis answers at ${safeUrl(url)} and redis-server is not installed: ${hint}`,
    );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(privateUrl, 500)) {
      log.info({ port }, `no Redis at ${safeUrl(url)}: started a private redis-server for this run`);
      return {
        url: privateUrl,
        close: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(
    `no Redis answers at ${safeUrl(url)} and a private redis-server did not start: ${hint}`,
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.username = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return 'REDIS_URL';
  }
}
