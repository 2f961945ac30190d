import type { Job, JobsOptions, Queue } from 'bullmq';
import { activeQueries } from '../db/campaign-repository.ts';
import type { Db } from '../db/database.ts';
import {
  type CampaignJobData,
  jobIds,
  jobNames,
  oneShot,
  type QueryJobData,
  type TickData,
} from './queue-names.ts';

/**
 * What the dashboard's admin routes and the CLI may ask of collection. They enqueue jobs or flip
 * flags; they never call X themselves.
 */

/**
 * The retries the workers' own queues give their jobs (workers/runtime.ts): a dashboard running
 * apart from the workers adds jobs through queues without those defaults.
 */
const retried: JobsOptions = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } };

/**
 * An on-demand snapshot has its own fixed id: clicking twice while it waits queues it once. A request
 * made while it runs takes the second id, so that it runs once more after it (see requestSnapshot).
 */
export const snapshotNowJobId = (campaignId: number, again = false) =>
  `snapshot-now-${campaignId}${again ? '-again' : ''}`;

/** Polls every active query of the campaign now, instead of waiting for the next tick. */
export async function requestPoll(queues: { search: Queue }, campaignId: number): Promise<void> {
  await queues.search.add(jobNames.tick, { campaignId, reason: 'manual' } satisfies TickData, {
    removeOnComplete: true,
    removeOnFail: true,
  });
}

export interface BackfillRequest {
  /** queries whose walk back was queued (or was already waiting or running) */
  backfills: number[];
  /** queries never polled yet: their first poll was queued, it sets where the walk starts */
  polls: number[];
  /** queries whose walk back has reached the 7-day horizon and whose archive part is read */
  complete: number[];
}

/**
 * Queues the walk back of each active query of the campaign (its backfill, or its archive part once
 * the backfill is done), with the fixed ids the ticks use (src/jobs/queue-names.ts): a walk already
 * waiting or running is not queued twice.
 */
export async function requestBackfill(
  db: Db,
  queues: { search: Queue; archive: Queue },
  campaignId: number,
): Promise<BackfillRequest> {
  const request: BackfillRequest = { backfills: [], polls: [], complete: [] };
  const jobs: Parameters<Queue['addBulk']>[0] = [];
  const archiveJobs: Parameters<Queue['addBulk']>[0] = [];
  for (const query of await activeQueries(db, campaignId)) {
    const data = { campaignId, queryId: query.id } satisfies QueryJobData;
    if (query.backfill_done && query.archive_done) {
      request.complete.push(query.id);
    } else if (query.backfill_done) {
      // What is left is the part older than recent search's reach, on the archive's own queue.
      request.backfills.push(query.id);
      archiveJobs.push({
        name: jobNames.archive,
        data,
        opts: { jobId: jobIds.archive(query.id), ...oneShot, ...retried },
      });
    } else if (query.backfill_until_id) {
      // The backfill job queues the archive part when the recent walk back is done.
      request.backfills.push(query.id);
      jobs.push({
        name: jobNames.backfill,
        data,
        opts: { jobId: jobIds.backfill(query.id), ...oneShot, ...retried },
      });
    } else {
      // A backfill starts below the oldest post of the first poll: without one it has nowhere to start.
      request.polls.push(query.id);
      jobs.push({
        name: jobNames.poll,
        data,
        opts: { jobId: jobIds.poll(query.id), ...oneShot, ...retried },
      });
    }
  }
  if (jobs.length > 0) await queues.search.addBulk(jobs);
  if (archiveJobs.length > 0) await queues.archive.addBulk(archiveJobs);
  return request;
}

/** Reads the followers of the home account, the watchlist and the top authors now (x-users). */
export async function requestSnapshot(queues: { users: Queue }, campaignId: number): Promise<void> {
  // A snapshot already running read its accounts when it started: the one just added to the
  // watchlist, or the top authors a walk back has just stored, would wait for the schedule. So a
  // request made meanwhile queues one more run, once, under the second id.
  const running = (await queues.users.getJobState(snapshotNowJobId(campaignId))) === 'active';
  await queues.users.add(jobNames.snapshot, { campaignId } satisfies CampaignJobData, {
    jobId: snapshotNowJobId(campaignId, running),
    ...oneShot,
    ...retried,
  });
}

/**
 * Resolves the home and watchlist accounts now, takes their first follower reading and then starts
 * their timelines (x-users, then x-timeline), instead of waiting for the hourly snapshot schedule.
 * Every start of the workers queues it once per campaign; `campaign apply` once per apply.
 */
export async function requestResolution(
  queues: { users: Queue },
  campaignId: number,
  when: { reason: 'start' } | { reason: 'apply'; appliedAt: Date },
): Promise<Job<CampaignJobData>> {
  const jobId =
    when.reason === 'start'
      ? jobIds.startSnapshot(campaignId)
      : jobIds.applySnapshot(campaignId, when.appliedAt);
  return queues.users.add(jobNames.snapshot, { campaignId, reason: when.reason } satisfies CampaignJobData, {
    jobId,
    ...oneShot,
    ...retried,
  });
}

/** Paused campaigns keep their schedules, but their ticks poll nothing until resumed. */
export async function setPaused(db: Db, campaignId: number, paused: boolean): Promise<void> {
  await db.updateTable('campaigns').set({ paused }).where('id', '=', campaignId).execute();
}
