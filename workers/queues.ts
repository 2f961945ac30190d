/**
 * One queue per X endpoint family, so that BullMQ's per-queue limiter can follow X's per-endpoint
 * rate limits. Queue and job names are constants: producers and processors share them.
 */
export const queueNames = {
  search: 'x-search',
  timeline: 'x-timeline',
  users: 'x-users',
  tweets: 'x-tweets',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];

export const jobNames = {
  /** scheduled per campaign: enqueue one poll per active query */
  tick: 'tick',
  /** poll one campaign query (job id per query: never two at once) */
  poll: 'poll',
  /** follower snapshots of the campaign's watchlist */
  snapshot: 'snapshot',
} as const;

export interface TickData {
  campaignId: number;
  /** live ticks only poll around the campaign window; nightly ticks always do */
  reason: 'live' | 'nightly' | 'manual';
}
export interface PollData {
  campaignId: number;
  queryId: number;
}
export interface SnapshotData {
  campaignId: number;
}

/** BullMQ rejects ':' in custom ids; these stay readable in the board. */
export const pollJobId = (queryId: number) => `poll-${queryId}`;

/** Redis channel on which workers announce writes; every dashboard relays them as SSE. */
export const campaignUpdatedChannel = 'campaign-tracker:campaign-updated';
