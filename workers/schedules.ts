import type { Queue } from 'bullmq';
import type { Db } from '../src/db/database.ts';
import { periodMs } from '../src/jobs/cron.ts';
import { requestResolution } from '../src/jobs/enqueue.ts';
import { type CampaignJobData, jobNames, type TickData } from '../src/jobs/queue-names.ts';

export interface ScheduleOptions {
  /**
   * Demo replay: campaign schedules are written in event time, which runs `speed` times faster
   * than the wall clock. They become fixed intervals of period/speed (never under `minEveryMs`).
   */
  replay?: { speed: number; minEveryMs: number };
}

const schedulerIds = (slug: string) => ({
  live: `live-${slug}`,
  nightly: `nightly-${slug}`,
  snapshots: `snapshots-${slug}`,
  metrics: `metrics-${slug}`,
});

/**
 * Makes the queues' job schedulers match the campaigns in the database: upserts each campaign's
 * (same ids: starting twice changes nothing) and removes those of campaigns that are gone.
 */
export async function reconcileSchedules(
  db: Db,
  queues: { search: Queue; users: Queue; tweets: Queue },
  options: ScheduleOptions = {},
): Promise<void> {
  const campaigns = await db.selectFrom('campaigns').select(['id', 'slug', 'timezone', 'schedule']).execute();
  const wanted = new Set<string>();
  for (const campaign of campaigns) {
    const ids = schedulerIds(campaign.slug);
    // Engagement re-reads ride on the snapshot schedule: each run reads the posts that are due.
    await upsertCampaignSchedulers(
      { tick: queues.search, snapshot: queues.users, metrics: queues.tweets },
      campaign,
      ids,
      options,
    );
    // At once, not at the next scheduled hour: the first follower reading, the check that every
    // handle resolves, and the timelines (queued by the snapshot when it is done).
    await requestResolution(queues, campaign.id, { reason: 'start' });
    for (const id of Object.values(ids)) wanted.add(id);
  }
  await removeSchedulersBut([queues.search, queues.users, queues.tweets], wanted);
}

/** A campaign's job schedulers, by the ids its network's queues know them by. */
interface CampaignSchedulerIds {
  live: string;
  nightly: string;
  snapshots: string;
  metrics: string;
}

/**
 * Upserts a campaign's four schedulers (live and nightly ticks, follower snapshots, engagement
 * re-reads) on the queues that run them; X and the other networks (workers/source-jobs.ts) share it.
 */
export async function upsertCampaignSchedulers(
  queues: { tick: Queue; snapshot: Queue; metrics: Queue },
  campaign: { id: number; timezone: string; schedule: { live: string; nightly: string; snapshots: string } },
  ids: CampaignSchedulerIds,
  options: ScheduleOptions,
): Promise<void> {
  const repeat = (pattern: string) =>
    options.replay
      ? { every: Math.max(options.replay.minEveryMs, Math.round(periodMs(pattern) / options.replay.speed)) }
      : { pattern, tz: campaign.timezone };
  await queues.tick.upsertJobScheduler(ids.live, repeat(campaign.schedule.live), {
    name: jobNames.tick,
    data: { campaignId: campaign.id, reason: 'live' } satisfies TickData,
  });
  await queues.tick.upsertJobScheduler(ids.nightly, repeat(campaign.schedule.nightly), {
    name: jobNames.tick,
    data: { campaignId: campaign.id, reason: 'nightly' } satisfies TickData,
  });
  await queues.snapshot.upsertJobScheduler(ids.snapshots, repeat(campaign.schedule.snapshots), {
    name: jobNames.snapshot,
    data: { campaignId: campaign.id } satisfies CampaignJobData,
  });
  await queues.metrics.upsertJobScheduler(ids.metrics, repeat(campaign.schedule.snapshots), {
    name: jobNames.metrics,
    data: { campaignId: campaign.id } satisfies CampaignJobData,
  });
}

/** Removes the schedulers of campaigns that are gone (every scheduler not in `wanted`). */
export async function removeSchedulersBut(queues: Queue[], wanted: Set<string>): Promise<void> {
  for (const queue of queues) {
    for (const scheduler of await queue.getJobSchedulers()) {
      if (!wanted.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
    }
  }
}
