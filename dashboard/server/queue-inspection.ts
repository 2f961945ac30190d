import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { defaultPrefix, queueNames } from '../../src/jobs/queue-names.ts';

/** The collection queues the dashboard reads (operations page, BullMQ board) and adds jobs to (admin). */
export type DashboardQueues = { search: Queue; archive: Queue; users: Queue } & Record<string, Queue>;

/**
 * Queues for a dashboard that runs apart from the workers (`tracker dashboard`): every queue of
 * `queueNames` under the workers' prefix, on one Redis connection. `close()` releases them.
 */
export function connectQueues(
  redisUrl: string,
  options: { prefix?: string; log?: Logger } = {},
): { queues: DashboardQueues; close(): Promise<void> } {
  // Commands fail after one retry instead of waiting for Redis forever: the pages say it is away.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let warned = false;
  connection.on('error', (err) => {
    if (!warned) options.log?.warn({ err }, 'dashboard: Redis unavailable for the queues');
    warned = true;
  });
  connection.on('ready', () => {
    warned = false;
  });
  const entries = Object.entries(queueNames).map(([key, name]) => {
    const queue = new Queue(name, { connection, prefix: options.prefix ?? defaultPrefix });
    queue.on('error', () => {
      // Same connection: reported once by the listener above.
    });
    return [key, queue] as const;
  });
  const queues = Object.fromEntries(entries) as DashboardQueues;
  return {
    queues,
    async close() {
      await Promise.all(entries.map(([, queue]) => queue.close()));
      connection.disconnect();
    },
  };
}

export interface QueueState {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
  paused: boolean;
  /** when a 429 paused the queue: X's reset time */
  rateLimitedUntil: Date | null;
}

/** The state of each queue, or null when Redis does not answer within `timeoutMs`. */
export async function queueStates(queues: DashboardQueues, timeoutMs = 2000): Promise<QueueState[] | null> {
  const read = Promise.all(
    Object.values(queues).map(async (queue): Promise<QueueState> => {
      const [counts, paused, ttl] = await Promise.all([
        queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'paused'),
        queue.isPaused(),
        queue.getRateLimitTtl(),
      ]);
      return {
        name: queue.name,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.paused ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
        paused,
        rateLimitedUntil: ttl > 0 ? new Date(Date.now() + ttl) : null,
      };
    }),
  );
  // A read that loses the race must not become an unhandled rejection later.
  read.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([read, timeout]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
