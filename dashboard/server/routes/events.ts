import { Hono } from 'hono';
import { type SSEMessage, streamSSE } from 'hono/streaming';
import {
  type CampaignHelloEventJson,
  type CampaignUpdateEventJson,
  campaignHelloEventSchema,
  campaignUpdateEventSchema,
} from '../../api-contract.ts';
import { campaignOr404 } from '../api-responses.ts';
import { unavailable } from '../middleware/errors.ts';
import { describeRoute } from '../openapi/route-docs.ts';
import type { DashboardContext } from './context.ts';

/** How long a browser waits before reconnecting after the stream ends (EventSource's `retry`). */
const retryMs = 1000;

/**
 * `GET /campaigns/:slug/events` (under /api/v1): Server-Sent Events, one `update` per worker write
 * (throttled), so the page re-reads the API. Comment lines keep idle connections (and proxies)
 * alive. Without Redis the answer is a 503, and the page polls the API instead.
 */
export function eventRoutes({ db, live, heartbeatMs }: DashboardContext): Hono {
  // Browsers reconnect in waves (a dashboard restart, a network cut): a slug's campaign is read
  // from the database once a minute at most, so that a busy database does not hold the streams.
  const campaigns = new Map<string, { campaign: { id: number; slug: string }; readAt: number }>();
  const campaignOf = async (slug: string) => {
    const known = campaigns.get(slug);
    if (known && Date.now() - known.readAt < 60_000) return known.campaign;
    const { id } = await campaignOr404(db, slug);
    const campaign = { id, slug };
    campaigns.set(slug, { campaign, readAt: Date.now() });
    return campaign;
  };

  const describe = describeRoute({
    summary: "Server-Sent Events: one `update` per write to the campaign's data",
    description:
      '`hello` first (with `retry`), then an `update` per worker write (throttled): re-read the API. ' +
      'Comment lines keep idle connections alive. Not rate-limited: reconnections are paced by `retry`.',
    responses: {
      200: {
        description: 'the event stream',
        events: { hello: campaignHelloEventSchema, update: campaignUpdateEventSchema },
      },
    },
    errors: {
      503: 'live updates are off (no Redis) or paused (Redis does not answer): poll the API instead',
    },
  });

  return new Hono().get('/campaigns/:slug/events', describe, async (c) => {
    const campaign = await campaignOf(c.req.param('slug'));
    if (!live) throw unavailable('live updates are off: this dashboard has no Redis; the page polls instead');
    if (!(await live.ready())) {
      throw unavailable('live updates are paused: Redis does not answer; the page polls until it is back');
    }
    // Proxies such as nginx would otherwise hold the events back in their buffers.
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      // The subscription starts in the same tick as the hello is queued: no write can fall between
      // the connection and the subscription. Writes are chained: events go out in order, hello first.
      let writing = stream.writeSSE({
        event: 'hello',
        data: JSON.stringify({ campaign: campaign.slug } satisfies CampaignHelloEventJson),
        retry: retryMs,
      });
      const send = (message: SSEMessage) => {
        writing = writing.then(() => stream.writeSSE(message)).catch(() => {});
      };
      await new Promise<void>((resolve) => {
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          clearInterval(heartbeat);
          unsubscribe();
          resolve();
        };
        const unsubscribe = live.subscribe(campaign.id, {
          update: (update) => {
            const data: CampaignUpdateEventJson = { campaign: campaign.slug, at: update.at.toISOString() };
            send({ event: 'update', id: update.id, data: JSON.stringify(data) });
          },
          end,
        });
        const heartbeat = setInterval(() => {
          writing = writing
            .then(() => stream.write(': heartbeat\n\n'))
            .then(
              () => {},
              () => {},
            );
        }, heartbeatMs);
        stream.onAbort(end);
        c.req.raw.signal.addEventListener('abort', end, { once: true });
      });
      await writing;
    });
  });
}
