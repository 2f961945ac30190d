/**
 * One queue per X endpoint family, so that BullMQ's per-queue rate limit follows X's per-endpoint
 * windows. Queue and job names are constants: producers and processors share them.
 */
export const queueNames = {
  search: 'x-search',
  /**
   * The full archive (/2/tweets/search/all): 1 request/s and 300 per 15 minutes per app, a limit of
   * its own. A walk through it waits out its resets on this queue, never holding recent polling.
   */
  archive: 'x-archive',
  timeline: 'x-timeline',
  users: 'x-users',
  tweets: 'x-tweets',
} as const;

export const jobNames = {
  /** scheduled per campaign (x-search): enqueue the polls, backfills and timeline reads due */
  tick: 'tick',
  /** poll one campaign query forward (x-search) */
  poll: 'poll',
  /** walk one campaign query back to the 7-day horizon (x-search) */
  backfill: 'backfill',
  /** walk the part of one query's window older than recent search's reach through the archive (x-archive) */
  archive: 'archive',
  /** read one watchlist account's new posts (x-timeline) */
  timeline: 'timeline',
  /** follower snapshots of the watchlist and top authors (x-users) */
  snapshot: 'snapshot',
  /** re-read the metrics of the posts that are due (x-tweets) */
  metrics: 'metrics',
} as const;

export interface TickData {
  campaignId: number;
  /** live ticks only poll around the campaign window; nightly and manual ticks always do */
  reason: 'live' | 'nightly' | 'manual';
}
export interface QueryJobData {
  campaignId: number;
  queryId: number;
}
export interface TimelineData {
  campaignId: number;
  username: string;
}
export interface CampaignJobData {
  campaignId: number;
  /**
   * `start` (every start of the workers) and `apply` (`campaign apply`): a snapshot queued at once,
   * so the home and watchlist accounts are resolved, read and their timelines started without
   * waiting for the snapshot schedule.
   */
  reason?: 'start' | 'apply';
}

/**
 * Fixed job ids: while a job for the same target waits or runs, adding another is a no-op, so a
 * query is never polled twice at once, whatever the number of workers. (BullMQ rejects ':' in ids.)
 */
export const jobIds = {
  startSnapshot: (campaignId: number) => `snapshot-start-${campaignId}`,
  /** one per apply: a snapshot already running may have read the watchlist the apply changed */
  applySnapshot: (campaignId: number, appliedAt: Date) =>
    `snapshot-apply-${campaignId}-${appliedAt.getTime()}`,
  poll: (queryId: number) => `poll-${queryId}`,
  backfill: (queryId: number) => `backfill-${queryId}`,
  archive: (queryId: number) => `archive-${queryId}`,
  timeline: (campaignId: number, username: string) => `timeline-${campaignId}-${username.toLowerCase()}`,
};

/** Jobs with fixed ids are removed when they end, so that the id is free for the next tick. */
export const oneShot = { removeOnComplete: true, removeOnFail: true } as const;

/** BullMQ's key prefix when none is set: every queue, counter and channel of a deployment lives under it. */
export const defaultPrefix = 'bull';

/**
 * Redis channel on which workers announce writes; every dashboard relays them as SSE and the alert
 * watcher checks after them. Under the prefix, like the queues: deployments (and test files) that
 * share a Redis hear only their own campaigns, whose ids would otherwise collide.
 */
export const campaignUpdatedChannel = (prefix: string = defaultPrefix) => `${prefix}:campaign-updated`;

/**
 * The queues of a network other than X: searches (polls and backfills, which spend the session's
 * budget on Bluesky) apart from the account reads (feeds, profiles, posts: the public AppView's), so
 * a rate limit on one pauses only its own. Job names and ids are those of X's queues.
 */
export const sourceQueueNames = (network: 'bluesky' | 'mastodon') =>
  ({ search: `${network}-search`, accounts: `${network}-accounts` }) as const;
