import { type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { CollectContext } from '../src/collect/context.ts';
import { pollQuery } from '../src/collect/poll-query.ts';
import { snapshotWatchlist } from '../src/collect/snapshot-accounts.ts';
import { activeQueries } from '../src/db/campaigns.ts';
import { XAuthError, XRateLimitError, XRequestError, XUsageCapError } from '../src/x/errors.ts';
import { jobNames, type PollData, pollJobId, type SnapshotData, type TickData } from './queues.ts';

/** How far around the campaign window live ticks keep polling. */
const liveMarginMs = 24 * 3600_000;

export interface ProcessorDeps extends CollectContext {
  searchQueue: Queue;
  /** called after a job wrote something: workers publish it for the dashboards */
  onCampaignUpdated(campaignId: number): Promise<void>;
}

/**
 * Thin: each job name maps to a use-case of src/collect. `worker` is read at run time, because
 * a rate limit pauses the worker that ran into it.
 */
export function searchProcessor(deps: ProcessorDeps, worker: () => Worker) {
  return async (job: Job) =>
    translateXErrors(worker(), async () => {
      if (job.name === jobNames.tick) return tick(deps, job.data as TickData);
      if (job.name === jobNames.poll) {
        const data = job.data as PollData;
        const result = await pollQuery(deps, data.queryId);
        if (result.postsNew > 0) await deps.onCampaignUpdated(data.campaignId);
        return result;
      }
      throw new UnrecoverableError(`unknown job ${job.name} on the search queue`);
    });
}

export function usersProcessor(deps: ProcessorDeps, worker: () => Worker) {
  return async (job: Job) =>
    translateXErrors(worker(), async () => {
      if (job.name !== jobNames.snapshot)
        throw new UnrecoverableError(`unknown job ${job.name} on the users queue`);
      const data = job.data as SnapshotData;
      const result = await snapshotWatchlist(deps, data.campaignId);
      if (result.snapshots > 0) await deps.onCampaignUpdated(data.campaignId);
      return result;
    });
}

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
  // A fixed job id per query: while a poll of that query waits or runs, adding another is a no-op.
  await deps.searchQueue.addBulk(
    queries.map((query) => ({
      name: jobNames.poll,
      data: { campaignId: campaign.id, queryId: query.id } satisfies PollData,
      // Removed when done, so the id is free for the next tick (a kept job would block it forever).
      opts: { jobId: pollJobId(query.id), removeOnComplete: true, removeOnFail: true },
    })),
  );
  return { polls: queries.length };
}

/**
 * Sorts X failures the BullMQ way: bad credentials and bad requests are not retried; a rate limit
 * pauses the whole queue until X's reset (the job goes back to wait, no attempt is spent);
 * everything else throws and is retried with exponential backoff.
 */
async function translateXErrors<T>(worker: Worker, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof XAuthError || error instanceof XRequestError || error instanceof XUsageCapError) {
      throw new UnrecoverableError(error.message);
    }
    if (error instanceof XRateLimitError) {
      await worker.rateLimit(Math.max(1000, error.resetAt.getTime() - Date.now()));
      throw Worker.RateLimitError();
    }
    throw error;
  }
}
