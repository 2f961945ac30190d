import type { Clock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import type { Metric, NetworkChoice, Scope } from '../../src/rank/metrics.ts';
import type { RankedLeaderboardJson } from '../api-contract.ts';
import { leaderboardJson } from './api-responses.ts';
import type { LiveUpdates } from './live-events.ts';

export interface LeaderboardRequest {
  metric: Metric;
  scope: Scope;
  /** default `all` */
  network?: NetworkChoice;
  from: Date;
  to: Date;
  limit: number;
}

export interface LeaderboardCache {
  /** The board, from the cache when a fresh copy is there (its `asOf` says when it was read). */
  read(campaign: Campaign, request: LeaderboardRequest): Promise<RankedLeaderboardJson>;
  /** Forgets the campaign's boards: something was written. */
  invalidate(campaignId: number): void;
}

export interface LeaderboardCacheOptions {
  db: Db;
  clock: Clock;
  /** the relay of the workers' "campaign updated" messages; unset (no Redis), only `shortTtlMs` holds */
  live?: LiveUpdates | undefined;
  maxEntries?: number;
  /**
   * How long a board is kept while every write is announced. Movement ("since an hour ago")
   * shifts with time even without writes: the age is also measured on the application clock,
   * so a demo replayed 600 times faster keeps a board for a tenth of a second.
   */
  ttlMs?: number;
  /** How long a board is kept when writes may go unannounced (no Redis, or Redis away). */
  shortTtlMs?: number;
}

interface Entry {
  campaignId: number;
  board: Promise<RankedLeaderboardJson>;
  readAtMs: number;
  readAtClockMs: number;
}

/**
 * Reading a leaderboard costs hundreds of milliseconds on a large campaign, and every browser asks
 * for the same few boards after each write. This per-process cache keeps each board (keyed by
 * campaign and parameters, at most `maxEntries`, least recently used out first) until the workers
 * announce a write to its campaign. Concurrent reads of a missing board share one query.
 */
export function createLeaderboardCache(options: LeaderboardCacheOptions): LeaderboardCache {
  const { db, clock, live } = options;
  const maxEntries = options.maxEntries ?? 256;
  const ttlMs = options.ttlMs ?? 60_000;
  const shortTtlMs = options.shortTtlMs ?? 2_000;
  const entries = new Map<string, Entry>();

  const invalidate = (campaignId: number) => {
    for (const [key, entry] of entries) if (entry.campaignId === campaignId) entries.delete(key);
  };
  // Announcements missed while the subscription was down: nothing cached before can be trusted.
  live?.watch({ update: invalidate, reset: () => entries.clear() });

  const fresh = (entry: Entry) => {
    const ttl = live?.subscribed() ? ttlMs : shortTtlMs;
    const wallAge = Date.now() - entry.readAtMs;
    const clockAge = clock.now().getTime() - entry.readAtClockMs;
    // A clock set backwards (tests, a replay restarted) also makes a board stale.
    return wallAge < ttl && clockAge >= 0 && clockAge < ttl;
  };

  return {
    read(campaign, request) {
      // The first read starts the subscription, so that later reads can be kept longer.
      live?.connect();
      const key = [
        campaign.id,
        campaign.home_username,
        request.metric,
        request.scope,
        request.network ?? 'all',
        request.from.getTime(),
        request.to.getTime(),
        request.limit,
      ].join('|');
      const cached = entries.get(key);
      if (cached && fresh(cached)) {
        // Most recently used last: the first key is the one to evict.
        entries.delete(key);
        entries.set(key, cached);
        return cached.board;
      }
      const asOf = clock.now();
      const entry: Entry = {
        campaignId: campaign.id,
        board: leaderboardJson(db, campaign, request, asOf),
        readAtMs: Date.now(),
        readAtClockMs: asOf.getTime(),
      };
      entries.delete(key);
      entries.set(key, entry);
      entry.board.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return entry.board;
    },
    invalidate,
  };
}
