import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { CollectContext } from '../src/collect/context.ts';
import type { Source } from '../src/collect/source.ts';
import { campaignUpdatedChannel, defaultPrefix, queueNames } from '../src/jobs/queue-names.ts';
import { recordXResponse } from '../src/jobs/x-call-counters.ts';
import type { MastodonClient } from '../src/networks/mastodon/client.ts';
import { MastodonWorkers } from './mastodon.ts';
import { type ProcessorDeps, processorFor } from './processors.ts';
import { reconcileSchedules, type ScheduleOptions } from './schedules.ts';
import { reconcileSourceSchedules, startSourceJobs } from './source-jobs.ts';

export interface CollectionRuntimeOptions extends CollectContext {
  redisUrl: string;
  /** BullMQ key prefix: tests isolate themselves with their own */
  prefix?: string;
  /** run processors (a dashboard-only process only needs the queues) */
  workers?: boolean;
  schedules?: ScheduleOptions | false;
  /** empty the queues first (the demo replays from the start every time) */
  fresh?: boolean;
  /** the Mastodon client; unset: Mastodon queries are not read */
  mastodon?: MastodonClient;
  /** the other networks collected (workers/source-jobs.ts): Bluesky when its session is configured */
  sources?: Source[];
}

export interface CollectionRuntime {
  /** X's queues, and each Mastodon instance's (`mastodon-<instance>`) once a job named it */
  queues: { search: Queue; archive: Queue; timeline: Queue; users: Queue; tweets: Queue } & Record<
    string,
    Queue
  >;
  /** the queues of the other networks (`bluesky-search`, `bluesky-accounts`, …) */
  networkQueues: Queue[];
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
  const prefix = options.prefix ?? defaultPrefix;
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
  const xQueues = {
    search: new Queue(queueNames.search, queueOptions),
    archive: new Queue(queueNames.archive, queueOptions),
    timeline: new Queue(queueNames.timeline, queueOptions),
    users: new Queue(queueNames.users, queueOptions),
    tweets: new Queue(queueNames.tweets, queueOptions),
  };
  const queues: CollectionRuntime['queues'] = { ...xQueues };
  for (const queue of Object.values(xQueues)) {
    queue.on('error', (err) => options.log.error({ err }, 'queue error'));
    if (options.fresh) await queue.obliterate({ force: true });
  }

  const onCampaignUpdated = async (campaignId: number) => {
    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId }));
  };
  const mastodon = options.mastodon
    ? new MastodonWorkers({
        db: options.db,
        mastodon: options.mastodon,
        clock: options.clock,
        log: options.log,
        connection,
        prefix,
        workers: options.workers !== false,
        registry: queues,
        onCampaignUpdated,
      })
    : undefined;
  const deps: ProcessorDeps = {
    db: options.db,
    x: options.x,
    clock: options.clock,
    log: options.log,
    ...(options.prices ? { prices: options.prices } : {}),
    queues,
    ...(mastodon ? { mastodon } : {}),
    onCampaignUpdated,
  };

  const workers: Worker[] = [];
  if (options.workers !== false) {
    // Searches and timelines of different queries and accounts run side by side; lookups batch
    // 100 per request already, one at a time is enough.
    // One archive walk at a time: the archive allows one request per second per app.
    const concurrency: Record<keyof typeof xQueues, number> = {
      search: 2,
      archive: 1,
      timeline: 2,
      users: 1,
      tweets: 1,
    };
    for (const [key, name] of Object.entries(queueNames) as Array<[keyof typeof xQueues, string]>) {
      const worker: Worker = new Worker(
        name,
        processorFor(deps, () => worker),
        {
          connection,
          prefix,
          concurrency: concurrency[key],
          // A worker that dies mid-job (killed, machine lost) holds its job's lock until it
          // expires: short locks hand the job to another worker within ~15 s, and it resumes from
          // the cursor its last page stored.
          lockDuration: 10_000,
          stalledInterval: 5_000,
          // A job whose worker died is handed over again; BullMQ's default fails it at the second
          // death, which loses a schedule tick when workers are killed several times in a row.
          maxStalledCount: 3,
        },
      );
      workers.push(worker);
    }
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

  const networks = (options.sources ?? []).map((source) => {
    const jobs = startSourceJobs({
      db: options.db,
      source,
      clock: options.clock,
      log: options.log,
      connection,
      prefix,
      queueOptions,
      workers: options.workers !== false,
      onCampaignUpdated: deps.onCampaignUpdated,
    });
    workers.push(...jobs.workers);
    return { source, ...jobs };
  });
  const networkQueues = networks.flatMap((network) => Object.values(network.queues));
  if (options.fresh) for (const queue of networkQueues) await queue.obliterate({ force: true });

  const reconcile = async () => {
    if (options.schedules === false) return;
    await reconcileSchedules(options.db, queues, options.schedules ?? {});
    for (const network of networks) {
      await reconcileSourceSchedules(
        options.db,
        network.source.network,
        network.queues,
        options.schedules ?? {},
      );
    }
  };
  await reconcile();
  // Job schedules live in Redis; the database is their source. A Redis that comes back empty (restarted
  // without persistence, failed over) gets them again as soon as the connection is ready.
  connection.on('ready', () => {
    reconcile().catch((err) =>
      options.log.error({ err }, 'could not restore the job schedules after a reconnect'),
    );
  });
  // Every X answer is counted in Redis, where each dashboard's /metrics reads it.
  const stopCounting =
    options.workers === false
      ? () => false
      : options.x.observeResponses((event) => {
          recordXResponse(publisher, prefix, {
            endpoint: event.endpoint,
            status: event.status === 'error' ? 0 : event.status,
            rateLimitRemaining: event.rateLimit?.remaining,
          }).catch((err) => options.log.debug({ err }, 'could not count an X request'));
        });
  for (const client of [connection, publisher]) {
    // Lost connections are reported by the queues and workers using them; ioredis reconnects by itself.
    client.on('error', (err) => options.log.debug({ err }, 'redis connection error'));
  }

  return {
    queues,
    networkQueues,
    workers,
    reconcile,
    async close() {
      stopCounting();
      await mastodon?.close();
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all([...Object.values(xQueues), ...networkQueues].map((queue) => queue.close()));
      connection.disconnect();
      publisher.disconnect();
    },
  };
}
