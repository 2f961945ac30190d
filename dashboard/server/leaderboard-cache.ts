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
  /** Boards asked for within this time are read again after an announced write; others are dropped. */
  renewMs?: number;
  /** How many boards are read again at once after a write (default 2). */
  renewConcurrency?: number;
}

interface Entry {
  campaignId: number;
  campaign: Campaign;
  request: LeaderboardRequest;
  /** the last board read, or the first read while it runs */
  board: Promise<RankedLeaderboardJson>;
  readAtMs: number;
  readAtClockMs: number;
  /**
   * the campaign's write generation when `board` was read. An entry older than its campaign is being
   * read again: every announced write renews or drops each entry of its campaign (`written`).
   */
  generation: number;
  /** the reads again queued after announced writes, one after the other */
  renewal: Promise<void>;
  usedAtMs: number;
}

/**
 * Reading a leaderboard costs tens of milliseconds on a large campaign, more while workers write,
 * and every browser asks for the same few boards after each write. This per-process cache keeps
 * each board (keyed by campaign and parameters, at most `maxEntries`, least recently used out
 * first); concurrent reads of a missing board share one query.
 *
 * A write the workers announce makes each of its campaign's boards asked for within `renewMs`
 * read again at once, one read per board however many browsers ask (boards not asked for lately
 * are dropped). Until the new read completes, requests get the board before it: a whole board
 * read on one snapshot, whose `asOf` says when. The live stream's `update` goes out once these
 * reads are done (dashboard/server/live-events.ts waits for them), so a browser that re-reads on
 * an update gets the new numbers from the cache. Under 200 streams and 50 requests a second
 * during ingest, requests no longer queue behind reads that each write restarted
 * (tests/bench/load.ts).
 */
export function createLeaderboardCache(options: LeaderboardCacheOptions): LeaderboardCache {
  const { db, clock, live } = options;
  const maxEntries = options.maxEntries ?? 256;
  const ttlMs = options.ttlMs ?? 60_000;
  const shortTtlMs = options.shortTtlMs ?? 2_000;
  const renewMs = options.renewMs ?? 60_000;
  const entries = new Map<string, Entry>();
  const generations = new Map<number, number>();
  const generationOf = (campaignId: number) => generations.get(campaignId) ?? 0;
  // Renewals run a few at a time: the requests' own reads (the campaign, a missing board) find a
  // free connection in the pool and the process keeps time to answer.
  const slots = semaphore(options.renewConcurrency ?? 2);

  const invalidate = (campaignId: number) => {
    for (const [key, entry] of entries) if (entry.campaignId === campaignId) entries.delete(key);
  };

  /** Reads the entry's board again after the write of `generation`, in turn with its other reads. */
  const renew = (key: string, entry: Entry, generation: number): Promise<void> => {
    entry.renewal = entry.renewal.then(async () => {
      try {
        // A read that started after this write already ran (writes come in bursts).
        if (entry.generation >= generation) return;
        await slots.take();
        try {
          const started = { generation: generationOf(entry.campaignId), readAtMs: Date.now() };
          const asOf = clock.now();
          const board = leaderboardJson(db, entry.campaign, entry.request, asOf);
          await board;
          Object.assign(entry, { board, ...started, readAtClockMs: asOf.getTime() });
        } finally {
          slots.give();
        }
      } catch {
        // The board before stays out of use: the next request reads it again, and reports why not.
        if (entries.get(key) === entry) entries.delete(key);
      }
    });
    return entry.renewal;
  };

  const written = (campaignId: number): Promise<unknown> => {
    const generation = generationOf(campaignId) + 1;
    generations.set(campaignId, generation);
    const renewals: Array<Promise<void>> = [];
    for (const [key, entry] of entries) {
      if (entry.campaignId !== campaignId) continue;
      if (Date.now() - entry.usedAtMs > renewMs) entries.delete(key);
      else renewals.push(renew(key, entry, generation));
    }
    return Promise.all(renewals);
  };
  // Announcements missed while the subscription was down: nothing cached before can be trusted.
  live?.watch({ update: written, reset: () => entries.clear() });

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
      // Current, or being read again after a write: the board before serves meanwhile.
      if (cached && fresh(cached)) {
        // Most recently used last: the first key is the one to evict.
        entries.delete(key);
        entries.set(key, cached);
        cached.usedAtMs = Date.now();
        return cached.board;
      }
      const asOf = clock.now();
      const entry: Entry = {
        campaignId: campaign.id,
        campaign,
        request,
        board: leaderboardJson(db, campaign, request, asOf),
        readAtMs: Date.now(),
        readAtClockMs: asOf.getTime(),
        generation: generationOf(campaign.id),
        renewal: Promise.resolve(),
        usedAtMs: Date.now(),
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

function semaphore(size: number): { take(): Promise<void>; give(): void } {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    take() {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    give() {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
