import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Source, SourceContext } from '../src/collect/source.ts';
import { readAuthorFeed, readSourceFollowers, refreshSourceMetrics } from '../src/collect/source-accounts.ts';
import { backfillPending, backfillSourceQuery, pollSourceQuery } from '../src/collect/source-search.ts';
import { activeQueries, watchlist } from '../src/db/campaign-repository.ts';
import type { Db } from '../src/db/database.ts';
import {
  type CampaignJobData,
  jobIds,
  jobNames,
  oneShot,
  type QueryJobData,
  sourceQueueNames,
  type TickData,
  type TimelineData,
} from '../src/jobs/queue-names.ts';
import { removeSchedulersBut, type ScheduleOptions, upsertCampaignSchedulers } from './schedules.ts';

/**
 * The jobs of a network other than X (Bluesky; Mastodon plugs its Source in the same way): a tick
 * per campaign that queues the polls, unfinished backfills and feed reads; follower readings on the
 * snapshot schedule (and at once when the collection starts); engagement re-reads. Each job name
 * maps to a use-case of src/collect/source-*.ts.
 */
export interface SourceQueues {
  search: Queue;
  accounts: Queue;
}

export interface SourceJobsOptions extends Omit<SourceContext, 'job'> {
  connection: Redis;
  prefix: string;
  queueOptions: ConstructorParameters<typeof Queue>[1];
  workers: boolean;
  onCampaignUpdated(campaignId: number): Promise<void>;
}

/** How far around the campaign window live ticks keep polling (as for X). */
const liveMarginMs = 24 * 3600_000;

export function startSourceJobs(options: SourceJobsOptions): { queues: SourceQueues; workers: Worker[] } {
  const names = sourceQueueNames(options.source.network);
  const queues: SourceQueues = {
    search: new Queue(names.search, options.queueOptions),
    accounts: new Queue(names.accounts, options.queueOptions),
  };
  const workers: Worker[] = [];
  if (options.workers) {
    for (const name of Object.values(names)) {
      const worker: Worker = new Worker(
        name,
        processorFor(options, queues, () => worker),
        {
          connection: options.connection,
          prefix: options.prefix,
          // A poll and a backfill of one query run side by side; each moves its own cursor keys.
          concurrency: name === names.search ? 2 : 1,
          // As for X (workers/runtime.ts): a job whose worker died is handed over within ~15 s.
          lockDuration: 10_000,
          stalledInterval: 5_000,
          maxStalledCount: 3,
        },
      );
      // Background loops report errors as events; an unlistened 'error' would crash the process.
      worker.on('error', (err) => options.log.error({ err, queue: name }, 'worker error'));
      worker.on('failed', (job, err) =>
        options.log.warn({ queue: name, job: job?.name, jobId: job?.id, err: err.message }, 'job failed'),
      );
      workers.push(worker);
    }
  }
  for (const queue of Object.values(queues)) {
    queue.on('error', (err: Error) => options.log.error({ err }, 'queue error'));
  }
  return { queues, workers };
}

function processorFor(options: SourceJobsOptions, queues: SourceQueues, worker: () => Worker) {
  const updated = async (campaignId: number, wrote: number) => {
    if (wrote > 0) await options.onCampaignUpdated(campaignId);
  };
  const handlers: Record<string, (job: Job, ctx: SourceContext) => Promise<unknown>> = {
    [jobNames.tick]: (job, ctx) => tick(ctx, queues, job.data as TickData),
    [jobNames.poll]: async (job, ctx) => {
      const data = job.data as QueryJobData;
      const result = await pollSourceQuery(ctx, data.queryId);
      await updated(data.campaignId, result.postsNew);
      return result;
    },
    [jobNames.backfill]: async (job, ctx) => {
      const data = job.data as QueryJobData;
      const result = await backfillSourceQuery(ctx, data.queryId);
      await updated(data.campaignId, result.postsNew);
      return result;
    },
    [jobNames.timeline]: async (job, ctx) => {
      const data = job.data as TimelineData;
      const result = await readAuthorFeed(ctx, data.campaignId, data.username);
      await updated(data.campaignId, result.postsNew);
      return result;
    },
    [jobNames.snapshot]: async (job, ctx) => {
      const data = job.data as CampaignJobData;
      const result = await readSourceFollowers(ctx, data.campaignId, tickOf(job));
      await updated(data.campaignId, result.snapshots);
      if (data.reason === 'start') await queueFeeds(ctx, queues, data.campaignId);
      return result;
    },
    [jobNames.metrics]: async (job, ctx) => {
      const data = job.data as CampaignJobData;
      const result = await refreshSourceMetrics(ctx, data.campaignId);
      await updated(data.campaignId, result.posts);
      return result;
    },
  };
  return async (job: Job) => {
    const handler = handlers[job.name];
    if (!handler) throw new UnrecoverableError(`unknown job ${job.name} on ${job.queueName}`);
    const ctx: SourceContext = {
      db: options.db,
      source: options.source,
      clock: options.clock,
      log: options.log,
      job: `${job.queueName}:${job.id}`,
    };
    try {
      return await handler(job, ctx);
    } catch (error) {
      // A rate limit pauses the queue until the network's reset (wall-clock time, like BullMQ's
      // delays): the job goes back to wait without spending an attempt and resumes from its cursor.
      const reset = options.source.rateLimitReset(error);
      if (reset) {
        await worker().rateLimit(Math.max(1000, reset.getTime() - Date.now()));
        throw Worker.RateLimitError();
      }
      if (options.source.failsForGood(error)) {
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  };
}

/** A scheduler job's tick (see tickOf in workers/processors.ts): the same for every attempt. */
function tickOf(job: Job): string {
  return `${job.queueName}:${job.id}:${job.timestamp}`;
}

async function queueFeeds(ctx: SourceContext, queues: SourceQueues, campaignId: number) {
  const accounts = (await watchlist(ctx.db, campaignId, ctx.source.network)).filter(
    (account) => account.account_id,
  );
  await queues.accounts.addBulk(
    accounts.map((account) => ({
      name: jobNames.timeline,
      data: { campaignId, username: account.username } satisfies TimelineData,
      opts: { jobId: jobIds.timeline(campaignId, account.username), ...oneShot },
    })),
  );
}

async function tick(ctx: SourceContext, queues: SourceQueues, data: TickData) {
  const campaign = await ctx.db
    .selectFrom('campaigns')
    .select(['id', 'paused', 'window_start', 'window_end'])
    .where('id', '=', data.campaignId)
    .executeTakeFirst();
  if (!campaign || campaign.paused) return { polls: 0 };
  const now = ctx.clock.now().getTime();
  const live =
    now >= campaign.window_start.getTime() - liveMarginMs &&
    now < campaign.window_end.getTime() + liveMarginMs;
  if (data.reason === 'live' && !live) return { polls: 0 };
  const queries = await activeQueries(ctx.db, campaign.id, ctx.source.network);
  await queues.search.addBulk([
    ...queries.map((query) => ({
      name: jobNames.poll,
      data: { campaignId: campaign.id, queryId: query.id } satisfies QueryJobData,
      opts: { jobId: jobIds.poll(query.id), ...oneShot },
    })),
    ...queries
      .filter((query) => backfillPending(query.cursor))
      .map((query) => ({
        name: jobNames.backfill,
        data: { campaignId: campaign.id, queryId: query.id } satisfies QueryJobData,
        opts: { jobId: jobIds.backfill(query.id), ...oneShot },
      })),
  ]);
  await queueFeeds(ctx, queues, campaign.id);
  return { polls: queries.length };
}

/**
 * Makes the network's job schedulers match the campaigns that follow something on it (a query or a
 * watched account), as reconcileSchedules does for X; the others' schedulers are removed.
 */
export async function reconcileSourceSchedules(
  db: Db,
  network: Source['network'],
  queues: SourceQueues,
  options: ScheduleOptions = {},
): Promise<void> {
  const campaigns = await db
    .selectFrom('campaigns as c')
    .select(['c.id', 'c.slug', 'c.timezone', 'c.schedule'])
    .where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('campaign_queries as q')
            .select('q.id')
            .whereRef('q.campaign_id', '=', 'c.id')
            .where('q.network', '=', network)
            .where('q.active', '=', true),
        ),
        eb.exists(
          eb
            .selectFrom('campaign_accounts as w')
            .select('w.username')
            .whereRef('w.campaign_id', '=', 'c.id')
            .where('w.network', '=', network),
        ),
      ]),
    )
    .execute();
  const wanted = new Set<string>();
  for (const campaign of campaigns) {
    const ids = {
      live: `${network}-live-${campaign.slug}`,
      nightly: `${network}-nightly-${campaign.slug}`,
      snapshots: `${network}-snapshots-${campaign.slug}`,
      metrics: `${network}-metrics-${campaign.slug}`,
    };
    await upsertCampaignSchedulers(
      { tick: queues.search, snapshot: queues.accounts, metrics: queues.accounts },
      campaign,
      ids,
      options,
    );
    // At once: the accounts resolved and read, then their feeds queued.
    await queues.accounts.add(
      jobNames.snapshot,
      { campaignId: campaign.id, reason: 'start' } satisfies CampaignJobData,
      {
        jobId: jobIds.startSnapshot(campaign.id),
        ...oneShot,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
      },
    );
    for (const id of Object.values(ids)) wanted.add(id);
  }
  await removeSchedulersBut([queues.search, queues.accounts], wanted);
}
