import type { Queue } from 'bullmq';
import type { Db } from '../src/db/database.ts';
import { jobNames, type TickData } from './queues.ts';

/**
 * What the dashboard's admin routes and the CLI may ask of collection. They enqueue jobs or flip
 * flags; they never call X themselves.
 */

/** Polls every active query of the campaign now, instead of waiting for the next tick. */
export async function requestPoll(queues: { search: Queue }, campaignId: number): Promise<void> {
  await queues.search.add(jobNames.tick, { campaignId, reason: 'manual' } satisfies TickData, {
    removeOnComplete: true,
    removeOnFail: true,
  });
}

/** Paused campaigns keep their schedules, but their ticks poll nothing until resumed. */
export async function setPaused(db: Db, campaignId: number, paused: boolean): Promise<void> {
  await db.updateTable('campaigns').set({ paused }).where('id', '=', campaignId).execute();
}
