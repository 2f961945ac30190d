import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import { archiveMayStart, archiveQuery } from '../src/collect/archive-query.ts';
import { backfillQuery } from '../src/collect/backfill-query.ts';
import { BudgetReachedError } from '../src/collect/budget.ts';
import type { CollectContext } from '../src/collect/context.ts';
import { fetchAvatars } from '../src/collect/fetch-avatars.ts';
import { pollQuery } from '../src/collect/poll-query.ts';
import { linkEarlierReposts, pollTimeline } from '../src/collect/poll-timeline.ts';
import { refreshPostMetrics } from '../src/collect/refresh-metrics.ts';
import { snapshotWatchlist } from '../src/collect/snapshot-accounts.ts';
import { activeQueries, watchlist } from '../src/db/campaigns.ts';
import { requestSnapshot } from '../src/jobs/enqueue.ts';
import {
  type CampaignJobData,
  jobIds,
  jobNames,
  oneShot,
  type QueryJobData,
  type TickData,
  type TimelineData,
} from '../src/jobs/queue-names.ts';
import { XAuthError, XRateLimitError, XRequestError, XUsageCapError } from '../src/networks/x/errors.ts';
import type { MastodonWorkers } from './mastodon.ts';

/** How far around the campaign window live ticks keep polling. */
const liveMarginMs = 24 * 3600_000;

export interface ProcessorDeps extends CollectContext {
  queues: { search: Queue; archive: Queue; timeline: Queue; users: Queue };
  /** each Mastodon instance's queue; unset: Mastodon queries are not read */
  mastodon?: MastodonWorkers;
  /** called after a job wrote something: workers publish it for the dashboards */
  onCampaignUpdated(campaignId: number): Promise<void>;
}

type Processor = (job: Job) => Promise<unknown>;

/**
 * Thin: each job name maps to a use-case of src/collect. `worker` is read at run time, because
 * a rate limit pauses the worker (and its queue) that ran into it.
 */
export function processorFor(deps: ProcessorDeps, worker: () => Worker): Processor {
  const updated = async (campaignId: number, wrote: number) => {
    if (wrote > 0) await deps.onCampaignUpdated(campaignId);
  };
  const handlers: Record<string, (job: Job, ctx: ProcessorDeps) => Promise<unknown>> = {
    [jobNames.tick]: (job, ctx) => tick(ctx, job.data as TickData),
    [jobNames.poll]: async (job, ctx) => {
      const data = job.data as QueryJobData;
      const result = await pollQuery(ctx, data.queryId);
      await updated(data.campaignId, result.postsNew);
      return result;
    },
    [jobNames.backfill]: async (job, ctx) => {
      const data = job.data as QueryJobData;
      const onProgress = async (progress: { postsNew: number }) => {
        await job.updateProgress(progress);
        await updated(data.campaignId, progress.postsNew);
      };
      const result = await backfillQuery(ctx, data.queryId, { onProgress });
      // The window's part older than recent search's reach comes from the archive, once the
      // recent walk back has ended: the two parts then meet (src/collect/archive-query.ts).
      if (result.done) await queueArchive(ctx, data);
      return result;
    },
    [jobNames.archive]: async (job, ctx) => {
      const data = job.data as QueryJobData;
      const result = await archiveQuery(ctx, data.queryId, {
        onProgress: async (progress) => {
          await job.updateProgress(progress);
          await updated(data.campaignId, progress.postsNew);
        },
      });
      if (result.done) await afterWalkBack(ctx, data.campaignId);
      return result;
    },
    [jobNames.timeline]: async (job, ctx) => {
      const data = job.data as TimelineData;
      const result = await pollTimeline(ctx, data.campaignId, data.username);
      await updated(data.campaignId, result.postsNew);
      return result;
    },
    [jobNames.snapshot]: async (job, ctx) => {
      const data = job.data as CampaignJobData;
      const result = await snapshotWatchlist(ctx, data.campaignId, { tick: tickOf(job) });
      await updated(data.campaignId, result.snapshots);
      if (data.reason) await startTimelines(ctx, data.campaignId);
      // Profile images ride on the snapshot: new accounts' images come within one snapshot period.
      // They are decoration: a failure here is logged, it does not fail (and repeat) the snapshot.
      const avatars = await fetchAvatars(ctx, data.campaignId).catch((error: unknown) => {
        ctx.log.warn({ err: error, campaignId: data.campaignId }, 'cannot fetch profile images');
        return { stored: 0, failed: 0 };
      });
      await updated(data.campaignId, avatars.stored);
      return { ...result, avatars };
    },
    [jobNames.metrics]: async (job, ctx) => {
      const data = job.data as CampaignJobData;
      const result = await refreshPostMetrics(ctx, data.campaignId);
      await updated(data.campaignId, result.posts);
      return result;
    },
  };
  return async (job) => {
    const handler = handlers[job.name];
    if (!handler) throw new UnrecoverableError(`unknown job ${job.name} on ${job.queueName}`);
    // The run log knows each run's job: a run an earlier attempt left open gets closed.
    const ctx = { ...deps, job: `${job.queueName}:${job.id}` };
    return translateXErrors(worker(), () => handler(job, ctx));
  };
}

/**
 * Names the schedule tick a job serves, the same for every attempt and for a worker taking it over
 * after a crash: its id (a scheduler's jobs carry the tick's time in it) and when it was added (ids
 * restart when Redis comes back empty).
 */
function tickOf(job: Job): string {
  return `${job.queueName}:${job.id}:${job.timestamp}`;
}

/** The timelines of the accounts a start or apply snapshot resolved, read now rather than at the next tick. */
async function startTimelines(deps: ProcessorDeps, campaignId: number) {
  const accounts = (await watchlist(deps.db, campaignId)).filter((account) => account.account_id);
  await deps.queues.timeline.addBulk(
    accounts.map((account) => ({
      name: jobNames.timeline,
      data: { campaignId, username: account.username } satisfies TimelineData,
      opts: { jobId: jobIds.timeline(campaignId, account.username), ...oneShot },
    })),
  );
}

function queueArchive(deps: ProcessorDeps, data: QueryJobData) {
  return deps.queues.archive.add(jobNames.archive, data, { jobId: jobIds.archive(data.queryId), ...oneShot });
}

/**
 * Once a query's window is read to its start: the watched accounts' reposts read from their
 * timelines before the posts they repost had arrived join the campaign, and the top authors, known
 * only now, get their first follower reading instead of waiting for the snapshot schedule.
 */
async function afterWalkBack(deps: ProcessorDeps, campaignId: number) {
  const linked = await linkEarlierReposts(deps.db, campaignId);
  if (linked > 0) await deps.onCampaignUpdated(campaignId);
  await requestSnapshot(deps.queues, campaignId);
}

/** Enqueues what a campaign needs now: polls, unfinished backfills and archive walks, timeline reads. */
async function tick(deps: ProcessorDeps, data: TickData) {
  const campaign = await deps.db
    .selectFrom('campaigns')
    .select(['id', 'paused', 'window_start', 'window_end'])
    .where('id', '=', data.campaignId)
    .executeTakeFirst();
  if (!campaign || campaign.paused) return { polls: 0 };
  const now = deps.clock.now().getTime();
  const live =
    now >= campaign.window_start.getTime() - liveMarginMs &&
    now < campaign.window_end.getTime() + liveMarginMs;
  if (data.reason === 'live' && !live) return { polls: 0 };

  const queries = await activeQueries(deps.db, campaign.id);
  const accounts = (await watchlist(deps.db, campaign.id)).filter((account) => account.account_id);
  await deps.queues.search.addBulk([
    ...queries.map((query) => ({
      name: jobNames.poll,
      data: { campaignId: campaign.id, queryId: query.id } satisfies QueryJobData,
      opts: { jobId: jobIds.poll(query.id), ...oneShot },
    })),
    ...queries
      .filter((query) => !query.backfill_done && query.backfill_until_id)
      .map((query) => ({
        name: jobNames.backfill,
        data: { campaignId: campaign.id, queryId: query.id } satisfies QueryJobData,
        opts: { jobId: jobIds.backfill(query.id), ...oneShot },
      })),
  ]);
  await deps.queues.archive.addBulk(
    queries
      .filter((query) => !query.archive_done && archiveMayStart(query))
      .map((query) => ({
        name: jobNames.archive,
        data: { campaignId: campaign.id, queryId: query.id } satisfies QueryJobData,
        opts: { jobId: jobIds.archive(query.id), ...oneShot },
      })),
  );
  await deps.queues.timeline.addBulk(
    accounts.map((account) => ({
      name: jobNames.timeline,
      data: { campaignId: campaign.id, username: account.username } satisfies TimelineData,
      opts: { jobId: jobIds.timeline(campaign.id, account.username), ...oneShot },
    })),
  );
  await deps.mastodon?.enqueueCampaign(campaign.id);
  return { polls: queries.length, timelines: accounts.length };
}

/**
 * Sorts X failures the BullMQ way: bad credentials and bad requests are not retried; a rate limit
 * pauses the whole queue until X's reset (the job goes back to wait, no attempt is spent; a
 * backfill resumes from its stored token); everything else throws and is retried with backoff.
 * A job stopped by the budget or the monthly cap completes: retrying cannot help before the month
 * (or the budget) changes, and the next tick tries again; its run-log row says why.
 */
async function translateXErrors<T>(worker: Worker, work: () => Promise<T>): Promise<T | { paused: string }> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BudgetReachedError) return { paused: error.message };
    if (error instanceof XAuthError || error instanceof XRequestError || error instanceof XUsageCapError) {
      throw new UnrecoverableError(error.message);
    }
    if (error instanceof XRateLimitError) {
      // X's reset is wall-clock time, like BullMQ's delays.
      await worker.rateLimit(Math.max(1000, error.resetAt.getTime() - Date.now()));
      throw Worker.RateLimitError();
    }
    throw error;
  }
}
