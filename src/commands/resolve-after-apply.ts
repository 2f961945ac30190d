import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Db } from '../db/database.ts';
import { unresolvedHandles } from '../db/unresolved-handles.ts';
import { requestResolution } from '../jobs/enqueue.ts';
import { defaultPrefix, queueNames } from '../jobs/queue-names.ts';
import { redisAnswers } from '../redis.ts';

/** How long `campaign apply` waits for the workers' lookup before leaving it to /ops. */
const waitMs = 30_000;

/**
 * After `campaign apply`: when workers are running, has them resolve the home and watchlist
 * accounts at once (first follower reading, then timelines), waits for the lookup and prints one
 * line per handle that X does not resolve. Without a worker nothing is queued: every start of the
 * workers resolves them (workers/schedules.ts). Never fails the apply: the campaign is saved.
 */
export async function resolveAfterApply(
  db: Db,
  redisUrl: string,
  campaignId: number,
  appliedAt: Date,
  out: (line: string) => void,
): Promise<void> {
  if (!(await redisAnswers(redisUrl))) {
    out(`  accounts: no Redis answers at ${redisUrl}; the workers resolve them when they start`);
    return;
  }
  // QueueEvents blocks on its connection: each gets its own.
  const connections = [0, 1].map(() => new Redis(redisUrl, { maxRetriesPerRequest: null }));
  const [queueConnection, eventsConnection] = connections as [Redis, Redis];
  const users = new Queue(queueNames.users, { connection: queueConnection, prefix: defaultPrefix });
  const events = new QueueEvents(queueNames.users, { connection: eventsConnection, prefix: defaultPrefix });
  try {
    if ((await users.getWorkersCount()) === 0) {
      out('  accounts: no worker is running; they are resolved when the workers start');
      return;
    }
    await events.waitUntilReady();
    const job = await requestResolution({ users }, campaignId, { reason: 'apply', appliedAt });
    try {
      await job.waitUntilFinished(events, waitMs);
    } catch {
      // A failed or slow lookup (X's rate limit, X down): the workers retry, /ops shows the outcome.
      out(
        `  accounts: not resolved within ${waitMs / 1000} s; /ops shows the outcome when the workers are done`,
      );
      return;
    }
    const unresolved = await unresolvedHandles(db, campaignId);
    if (unresolved.length === 0) out('  accounts: every handle resolved, first follower readings taken');
    for (const handle of unresolved) {
      out(`  ! @${handle.username} does not resolve on X (${handle.problem}): check it in the campaign file`);
    }
  } finally {
    await events.close();
    await users.close();
    for (const connection of connections) connection.disconnect();
  }
}
