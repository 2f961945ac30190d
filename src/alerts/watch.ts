import { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { checkAlerts } from './check.ts';
import { postWebhook, type SendWebhook } from './webhook.ts';

export interface AlertWatchOptions {
  db: Db;
  redisUrl: string;
  /** the channel workers publish `{"campaignId":N}` on after each write */
  channel: string;
  clock: Clock;
  log: Logger;
  send?: SendWebhook;
  /** at most one check per campaign per period; the last update is always checked */
  throttleMs?: number;
}

/**
 * Checks a campaign's alerts after each of its writes, from the `campaign updated` channel: the
 * collection code stays unaware of alerts, and a check that fails never fails a collection job.
 * Run one per process that runs workers; several at once are harmless (see checkAlerts).
 */
export function watchAlerts(options: AlertWatchOptions): { close(): Promise<void> } {
  const send = options.send ?? postWebhook;
  const throttleMs = options.throttleMs ?? 1000;
  const campaigns = new Map<
    number,
    { lastMs: number; timer?: NodeJS.Timeout; running?: Promise<void>; again: boolean }
  >();
  let closed = false;
  let warned = false;

  const run = (campaignId: number) => {
    const state = campaigns.get(campaignId);
    if (!state || closed) return;
    state.timer = undefined;
    if (state.running) {
      state.again = true;
      return;
    }
    state.lastMs = Date.now();
    state.running = checkAlerts(options.db, campaignId, options.clock.now(), send)
      .then((result) => {
        if (result.created.length > 0 || result.sent > 0 || result.failed > 0) {
          options.log.info({ campaignId, ...result }, 'alerts checked');
        }
      })
      .catch((err: unknown) => options.log.error({ err, campaignId }, 'alert check failed'))
      .finally(() => {
        state.running = undefined;
        if (state.again) {
          state.again = false;
          schedule(campaignId);
        }
      });
  };

  const schedule = (campaignId: number) => {
    const state = campaigns.get(campaignId) ?? { lastMs: 0, again: false };
    campaigns.set(campaignId, state);
    if (state.timer || closed) return;
    state.timer = setTimeout(() => run(campaignId), Math.max(0, state.lastMs + throttleMs - Date.now()));
  };

  const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  subscriber.on('error', (err) => {
    if (!warned) options.log.warn({ err }, 'alerts: Redis unavailable, alerts wait for it');
    warned = true;
  });
  subscriber.on('ready', () => {
    warned = false;
  });
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      const campaignId = (JSON.parse(message) as { campaignId?: unknown }).campaignId;
      if (typeof campaignId === 'number' && Number.isSafeInteger(campaignId)) schedule(campaignId);
    } catch {
      // Not ours to judge: the dashboards log malformed updates.
    }
  });
  subscriber
    .subscribe(options.channel)
    .catch((err: unknown) => options.log.error({ err }, 'alerts: cannot subscribe'));

  return {
    async close() {
      closed = true;
      for (const state of campaigns.values()) clearTimeout(state.timer);
      await Promise.all([...campaigns.values()].map((state) => state.running));
      subscriber.disconnect();
    },
  };
}
