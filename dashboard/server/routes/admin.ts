import { Hono } from 'hono';
import { z } from 'zod';
import { addPeer, addQuery, removePeer, retireQuery } from '../../../src/db/campaign-repository.ts';
import { requestBackfill, requestPoll, requestSnapshot, setPaused } from '../../../src/jobs/enqueue.ts';
import { campaignUpdatedChannel } from '../../../src/jobs/queue-names.ts';
import {
  type BackfillQueuedJson,
  backfillQueuedSchema,
  type CollectionStateJson,
  collectionStateSchema,
  type QueryChangeJson,
  queryChangeSchema,
  type WatchlistChangeJson,
  watchlistChangeSchema,
} from '../../api-contract.ts';
import { campaignOr404 } from '../api-responses.ts';
import { requireAdmin } from '../middleware/auth.ts';
import { conflict, invalidParameter, notFound, unavailable } from '../middleware/errors.ts';
import { describeRoute } from '../openapi/route-docs.ts';
import type { DashboardQueues } from '../queue-inspection.ts';
import { validJson } from '../request-validation.ts';
import { withTimeout } from '../timeout.ts';
import type { DashboardContext } from './context.ts';

const username = z
  .string({ error: 'expected an X username' })
  .trim()
  .transform((name) => name.replace(/^@/, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'expected an X username: 1–15 letters, digits or _'));

// The campaign file's rule: recent search takes queries of up to 512 characters.
const searchQuery = z
  .string({ error: 'expected an X search query' })
  .trim()
  .min(1, 'expected a non-empty X search query')
  .max(512, 'X queries are 512 characters at most')
  // PostgreSQL text cannot hold a NUL byte, and no X query has control characters.
  .refine((text) => !/\p{Cc}/u.test(text), 'X queries have no control characters');

const queryId = /^\d{1,9}$/;

/**
 * The watchlist and the queries shape the boards: this dashboard forgets its cached ones, and the
 * others (and the open pages) hear of it as they hear of the workers' writes.
 */
export async function announceChange(
  { leaderboards, redis, prefix, log }: Pick<DashboardContext, 'leaderboards' | 'redis' | 'prefix' | 'log'>,
  campaignId: number,
): Promise<void> {
  leaderboards.invalidate(campaignId);
  await redis
    ?.run((client) => client.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId })))
    .catch((err: unknown) => log?.warn({ err }, 'could not announce an admin change'));
}

/** Redis takes a job in milliseconds; past this, it is away and the admin hears so. */
const queueTimeoutMs = 5000;

/**
 * The write routes of the JSON API (mounted under /api/v1), behind ADMIN_TOKEN. They change the
 * database as a campaign file would, and ask collection for work through src/jobs/enqueue.ts; they
 * never call X. Note that `tracker campaign apply` later makes the campaign say what its file says.
 */
export function adminRoutes({
  db,
  adminToken,
  queues,
  leaderboards,
  redis,
  prefix,
  log,
}: DashboardContext): Hono {
  const admin = requireAdmin({ token: adminToken });

  /** After a change that is already saved: a job that cannot be queued is reported, not an error. */
  const queuedOrFalse = async (work: (queues: DashboardQueues) => Promise<unknown>): Promise<boolean> => {
    if (!queues) return false;
    return withTimeout(work(queues), queueTimeoutMs).then(
      () => true,
      () => false,
    );
  };
  const pollNow = (campaignId: number) => queuedOrFalse((q) => requestPoll(q, campaignId));

  const changed = (campaignId: number) => announceChange({ leaderboards, redis, prefix, log }, campaignId);

  return new Hono()
    .post(
      '/campaigns/:slug/watchlist',
      describeRoute({
        summary: 'Add an account to the watchlist',
        description: "Queues a follower snapshot so the account's figures come now.",
        responses: {
          201: { description: 'added', json: watchlistChangeSchema },
          200: { description: 'already on the watchlist: nothing changed', json: watchlistChangeSchema },
        },
      }),
      admin,
      validJson(z.object({ username })),
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const { username: name } = c.req.valid('json');
        const added = await addPeer(db, campaign.id, name);
        if (added) await changed(campaign.id);
        // Read the new account's followers now rather than at the next scheduled snapshot.
        const snapshotQueued = added ? await queuedOrFalse((q) => requestSnapshot(q, campaign.id)) : false;
        return c.json<WatchlistChangeJson>(
          { campaign: campaign.slug, username: name, changed: added, snapshotQueued },
          added ? 201 : 200,
        );
      },
    )
    .delete(
      '/campaigns/:slug/watchlist/:username',
      describeRoute({
        summary: 'Take an account off the watchlist',
        params: { username: { description: 'the X username to take off the watchlist (the @ is optional)' } },
        responses: { 200: { description: 'removed', json: watchlistChangeSchema } },
        errors: {
          400: 'username: not an X username',
          404: 'no campaign with this slug, or the account is not on its watchlist',
          409: 'the account is the home account: change the campaign file instead',
        },
      }),
      admin,
      async (c) => {
        const parsed = username.safeParse(c.req.param('username'));
        if (!parsed.success) throw invalidParameter(`username: ${parsed.error.issues[0]?.message}`);
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const result = await removePeer(db, campaign.id, parsed.data);
        if (result === 'home') {
          throw conflict(`@${parsed.data} is the home account: change "home:" in the campaign file instead`);
        }
        if (result === 'absent')
          throw notFound(`@${parsed.data} is not on the watchlist of ${campaign.slug}`);
        await changed(campaign.id);
        return c.json<WatchlistChangeJson>({
          campaign: campaign.slug,
          username: parsed.data,
          changed: true,
          snapshotQueued: false,
        });
      },
    )
    .post(
      '/campaigns/:slug/queries',
      describeRoute({
        summary: 'Add a search query to the campaign',
        description: 'Queues a poll of the campaign so the new query is read now.',
        responses: {
          201: { description: 'added', json: queryChangeSchema },
          200: {
            description: 'the campaign already has this query: nothing changed',
            json: queryChangeSchema,
          },
        },
      }),
      admin,
      validJson(z.object({ query: searchQuery })),
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const { query } = c.req.valid('json');
        const { id, changed: added } = await addQuery(db, campaign.id, query);
        if (added) await changed(campaign.id);
        const pollQueued = added ? await pollNow(campaign.id) : false;
        return c.json<QueryChangeJson>(
          { campaign: campaign.slug, id, query, active: true, changed: added, pollQueued },
          added ? 201 : 200,
        );
      },
    )
    .delete(
      '/campaigns/:slug/queries/:id',
      describeRoute({
        summary: 'Retire a search query',
        description: 'The query stops being polled; what it collected stays.',
        params: {
          id: {
            description: 'the numeric id of the query',
            schema: { type: 'string', pattern: queryId.source },
          },
        },
        responses: { 200: { description: 'retired (or already retired)', json: queryChangeSchema } },
        errors: { 400: 'id: not a query id', 404: 'no campaign with this slug, or no query with this id' },
      }),
      admin,
      async (c) => {
        const id = c.req.param('id');
        if (!queryId.test(id)) throw invalidParameter('id: expected the numeric id of a campaign query');
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const retired = await retireQuery(db, campaign.id, Number(id));
        if (!retired) throw notFound(`campaign ${campaign.slug} has no query with id ${id}`);
        if (retired.changed) await changed(campaign.id);
        return c.json<QueryChangeJson>({
          campaign: campaign.slug,
          id: Number(id),
          query: retired.query,
          active: false,
          changed: retired.changed,
          pollQueued: false,
        });
      },
    )
    .post(
      '/campaigns/:slug/backfill',
      describeRoute({
        summary: "Walk back the campaign's queries to X's 7-day horizon",
        responses: { 202: { description: 'queued', json: backfillQueuedSchema } },
        errors: {
          409: 'the campaign is paused: resume it first',
          503: 'the backfill was not queued: Redis (or the database) did not answer',
        },
      }),
      admin,
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        if (campaign.paused) throw conflict(`${campaign.slug} is paused: resume it before a backfill`);
        const connected = queuesOr503(queues);
        const request = await withTimeout(requestBackfill(db, connected, campaign.id), queueTimeoutMs).catch(
          () => {
            throw unavailable(
              'the backfill was not queued: Redis (or the database) did not answer, try again later',
            );
          },
        );
        return c.json<BackfillQueuedJson>({ campaign: campaign.slug, ...request }, 202);
      },
    )
    .post(
      '/campaigns/:slug/pause',
      describeRoute({
        summary: "Pause the campaign's collection",
        responses: { 200: { description: 'paused', json: collectionStateSchema } },
      }),
      admin,
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        await setPaused(db, campaign.id, true);
        return c.json<CollectionStateJson>({ campaign: campaign.slug, paused: true, queued: null });
      },
    )
    .post(
      '/campaigns/:slug/resume',
      describeRoute({
        summary: "Resume the campaign's collection",
        description: 'Queues a poll of every active query now rather than at the next scheduled tick.',
        responses: { 200: { description: 'resumed', json: collectionStateSchema } },
      }),
      admin,
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        await setPaused(db, campaign.id, false);
        // Catch up now rather than at the next scheduled tick.
        const queued = (await pollNow(campaign.id)) ? 'tick' : null;
        return c.json<CollectionStateJson>({ campaign: campaign.slug, paused: false, queued });
      },
    );
}

function queuesOr503(queues: DashboardQueues | undefined): DashboardQueues {
  if (!queues) throw unavailable('collection queues are not connected: this dashboard has no Redis');
  return queues;
}
