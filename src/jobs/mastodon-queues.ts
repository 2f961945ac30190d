import { parseInstance } from '../networks/mastodon/instances.ts';

/**
 * Mastodon work runs on one queue per instance, so that a slow, limiting or refusing instance never
 * holds the others. Decided: queues, not groups. BullMQ's groups (one rate limit per group inside a
 * queue) exist only in BullMQ Pro; in BullMQ itself a rate limit (`worker.rateLimit`) pauses a whole
 * queue, which is exactly the instance's limit when the queue is the instance's. Every Mastodon job of
 * an instance goes to its queue: tag reads of the campaign's queries there, and the reads that must be
 * made on it as a home (fresh counts of its statuses, its accounts' followers and boosts).
 */

/**
 * The instance's queue: `mastodon-` and the instance's name (its host, plus its path when it has one),
 * each run of characters other than letters, digits, `.` and `-` as one `_` (BullMQ keys use `:`).
 */
export function mastodonQueueName(instance: string): string {
  return `mastodon-${parseInstance(instance).name.replace(/[^a-z0-9.-]+/gi, '_')}`;
}

export const mastodonJobNames = {
  /** a campaign's tags on the instance: each (tag, instance) query polled, then walked back */
  tags: 'mastodon-tags',
  /** a campaign's reads on an instance as home: fresh counts, followers, the named accounts' boosts */
  home: 'mastodon-home',
} as const;

/** Both jobs name a campaign and an instance (its base URL). */
export interface MastodonJobData {
  campaignId: number;
  instance: string;
}

/** Fixed ids, as for X (src/jobs/queue-names.ts): a job waiting or running is never queued twice. */
export const mastodonJobIds = {
  tags: (campaignId: number, instance: string) => `mastodon-tags-${campaignId}-${instanceKey(instance)}`,
  home: (campaignId: number, instance: string) => `mastodon-home-${campaignId}-${instanceKey(instance)}`,
};

const instanceKey = (instance: string) => mastodonQueueName(instance).slice('mastodon-'.length);
