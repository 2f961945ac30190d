import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { CollectContext } from '../src/collect/context.ts';
import { type ProcessorDeps, searchProcessor, usersProcessor } from './processors.ts';
import { campaignUpdatedChannel, queueNames } from './queues.ts';
import { reconcileSchedules, type ScheduleOptions } from './schedules.ts';

export interface CollectionRuntimeOptions extends CollectContext {
  redisUrl: string;
  /** BullMQ key prefix: tests isolate themselves with their own */
  prefix?: string;
  /** run processors (a dashboard-only process only needs the queues) */
  workers?: boolean;
  schedules?: ScheduleOptions | false;
  /** empty the queues first (the demo replays from the start every time) */
  fresh?: boolean;
}

export interface CollectionRuntime {
  queues: { search: Queue; users: Queue };
  workers: Worker[];
  /** re-reads the campaigns and updates the job schedulers */
  reconcile(): Promise<void>;
  close(): Promise<void>;
}

export function redisConnection(url: string): Redis {
  // BullMQ's blocking commands need maxRetriesPerRequest: null.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

/** Starts the queues, their workers and schedulers; `close()` stops workers, then queues, then Redis. */
export async function startCollection(options: CollectionRuntimeOptions): Promise<CollectionRuntime> {
  const connection = redisConnection(options.redisUrl);
  const publisher = redisConnection(options.redisUrl);
  const prefix = options.prefix ?? 'bull';
  const queueOptions = {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
  const queues = {
    search: new Queue(queueNames.search, queueOptions),
    users: new Queue(queueNames.users, queueOptions),
  };
  for (const queue of Object.values(queues)) {
    queue.on('error', (err) => options.log.error({ err }, 'queue error'));
    if (options.fresh) await queue.obliterate({ force: true });
  }

  const deps: ProcessorDeps = {
    db: options.db,
    x: options.x,
    clock: options.clock,
    log: options.log,
    searchQueue: queues.search,
    onCampaignUpdated: async (campaignId) => {
      await publisher.publish(campaignUpdatedChannel, JSON.stringify({ campaignId }));
    },
  };

  const workers: Worker[] = [];
  if (options.workers !== false) {
    const workerOptions = { connection, prefix, concurrency: 4 };
    const search: Worker = new Worker(
      queueNames.search,
      searchProcessor(deps, () => search),
      workerOptions,
    );
    const users: Worker = new Worker(
      queueNames.users,
      usersProcessor(deps, () => users),
      {
        ...workerOptions,
        concurrency: 1,
      },
    );
    workers.push(search, users);
    for (const worker of workers) {
      // Background loops report errors as events; an unlistened 'error' would crash the process.
      worker.on('error', (err) => options.log.error({ err, queue: worker.name }, 'worker error'));
      worker.on('failed', (job, err) =>
        options.log.warn(
          {
            queue: worker.name,
            job: job?.name,
            jobId: job?.id,
            attempts: job?.attemptsMade,
            err: err.message,
          },
          'job failed',
        ),
      );
    }
  }

  const reconcile = async () => {
    if (options.schedules !== false) await reconcileSchedules(options.db, queues, options.schedules ?? {});
  };
  await reconcile();

  return {
    queues,
    workers,
    reconcile,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
      connection.disconnect();
      publisher.disconnect();
    },
  };
}
