import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Clock } from '../../src/clock.ts';

/** What the dashboard relays to browsers after a worker's write. */
export interface CampaignUpdate {
  /** the SSE event id: unique in this process (a restart starts a new prefix) */
  id: string;
  campaignId: number;
  /** the application clock when the update was relayed (the replayed time in demo mode) */
  at: Date;
}

export interface Subscriber {
  update(update: CampaignUpdate): void;
  /** the relay stops (dashboard closing, Redis lost): end the stream, the browser reconnects */
  end(): void;
}

/**
 * Sees every update as it arrives (unthrottled), and each time updates may have been missed. What
 * `update` returns, the relay waits for (at most `settleMs`) before telling browsers: the
 * leaderboard cache reads its boards again first (dashboard/server/leaderboard-cache.ts).
 */
export interface UpdateWatcher {
  update(campaignId: number): unknown;
  /** the subscription was lost or restored: messages in between are gone */
  reset(): void;
}

export interface LiveUpdates {
  /** Connects on first use; false when Redis does not answer within `timeoutMs`. */
  ready(timeoutMs?: number): Promise<boolean>;
  /** Starts connecting, if not yet, without waiting. */
  connect(): void;
  /** true while the subscription is up: no update can be missed */
  subscribed(): boolean;
  /** Returns the function that stops watching. */
  watch(watcher: UpdateWatcher): () => void;
  /** Returns the unsubscribe function. */
  subscribe(campaignId: number, subscriber: Subscriber): () => void;
  close(): Promise<void>;
}

export interface LiveUpdatesOptions {
  redisUrl: string;
  /** the Redis channel workers publish `{"campaignId":N}` on */
  channel: string;
  clock: Clock;
  log?: Logger | undefined;
  /**
   * At most one update per campaign per `throttleMs` (the last one always goes out): a burst of
   * writes makes one redraw, and the screen still moves well within a second of the write.
   */
  throttleMs?: number;
  /** The longest an update waits for the watchers' work (a slow database must not hold the stream). */
  settleMs?: number;
}

/**
 * One Redis subscription per dashboard process, fanned out to its SSE streams. Updates carry no
 * data: browsers re-read the JSON API, so every client sees the numbers the API serves.
 */
export function relayCampaignUpdates(options: LiveUpdatesOptions): LiveUpdates {
  const throttleMs = options.throttleMs ?? 250;
  const settleMs = options.settleMs ?? 1000;
  const bootId = Date.now().toString(36);
  let sequence = 0;
  const subscribers = new Map<number, Set<Subscriber>>();
  const throttles = new Map<number, { lastMs: number; timer?: NodeJS.Timeout }>();
  /** per campaign, the watchers' work for its latest message */
  const settling = new Map<number, Promise<unknown>>();
  let redis: Redis | undefined;
  let subscribed = false;
  /** the first SUBSCRIBE went through: after a reconnect, ioredis restores it by itself */
  let everSubscribed = false;
  let closed = false;
  let warned = false;
  const waiters = new Set<() => void>();
  const watchers = new Set<UpdateWatcher>();

  const setSubscribed = (value: boolean) => {
    if (value !== subscribed) for (const watcher of watchers) watcher.reset();
    subscribed = value;
    if (value) for (const wake of waiters) wake();
  };

  const endAll = () => {
    for (const set of subscribers.values()) for (const subscriber of set) subscriber.end();
    subscribers.clear();
  };

  const relay = (campaignId: number) => {
    const set = subscribers.get(campaignId);
    if (!set || set.size === 0) return;
    const update = { id: `${bootId}-${++sequence}`, campaignId, at: options.clock.now() };
    for (const subscriber of set) subscriber.update(update);
  };

  const onMessage = (campaignId: number) => {
    settling.set(campaignId, Promise.allSettled([...watchers].map((watcher) => watcher.update(campaignId))));
    const throttle = throttles.get(campaignId) ?? { lastMs: 0 };
    throttles.set(campaignId, throttle);
    if (throttle.timer) return;
    const wait = throttle.lastMs + throttleMs - Date.now();
    const fire = () => {
      throttle.timer = undefined;
      throttle.lastMs = Date.now();
      let timeout: NodeJS.Timeout | undefined;
      const late = new Promise((resolve) => {
        timeout = setTimeout(resolve, settleMs);
      });
      void Promise.race([settling.get(campaignId), late]).then(() => {
        clearTimeout(timeout);
        if (!closed) relay(campaignId);
      });
    };
    if (wait <= 0) fire();
    else throttle.timer = setTimeout(fire, wait);
  };

  const connect = (): Redis => {
    const client = new Redis(options.redisUrl, {
      lazyConnect: true,
      // Subscriptions are restored after a reconnect; commands do not wait for a lost server.
      autoResubscribe: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
    });
    client.on('message', (_channel: string, message: string) => {
      const campaignId = parseUpdate(message);
      if (campaignId === undefined) options.log?.warn({ message }, 'ignored a malformed campaign update');
      else onMessage(campaignId);
    });
    client.on('ready', () => {
      if (warned) options.log?.info('live updates: Redis is back');
      warned = false;
      if (everSubscribed) setSubscribed(true);
    });
    client.on('close', () => {
      if (!subscribed) return;
      setSubscribed(false);
      // Browsers reconnect, get a 503 while Redis is away, and poll until it is back.
      endAll();
    });
    client.on('error', (err) => {
      if (!warned)
        options.log?.warn({ err }, 'live updates: Redis unavailable, browsers fall back to polling');
      warned = true;
    });
    client
      .connect()
      .then(() => client.subscribe(options.channel))
      .then(() => {
        everSubscribed = true;
        setSubscribed(true);
      })
      .catch(() => {
        // Reported by the 'error' listener; ioredis keeps retrying.
      });
    return client;
  };

  return {
    async ready(timeoutMs = 1000) {
      if (closed) return false;
      redis ??= connect();
      if (subscribed) return true;
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(subscribed);
        };
        const timer = setTimeout(wake, timeoutMs);
        waiters.add(wake);
      });
    },
    connect() {
      if (!closed) redis ??= connect();
    },
    subscribed: () => subscribed,
    watch(watcher) {
      watchers.add(watcher);
      return () => {
        watchers.delete(watcher);
      };
    },
    subscribe(campaignId, subscriber) {
      let set = subscribers.get(campaignId);
      if (!set) {
        set = new Set();
        subscribers.set(campaignId, set);
      }
      set.add(subscriber);
      return () => {
        subscribers.get(campaignId)?.delete(subscriber);
      };
    },
    async close() {
      closed = true;
      setSubscribed(false);
      for (const throttle of throttles.values()) clearTimeout(throttle.timer);
      throttles.clear();
      settling.clear();
      for (const wake of waiters) wake();
      endAll();
      redis?.disconnect();
      redis = undefined;
    },
  };
}

function parseUpdate(message: string): number | undefined {
  try {
    const value = (JSON.parse(message) as { campaignId?: unknown }).campaignId;
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
