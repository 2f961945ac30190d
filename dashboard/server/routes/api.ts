import { Hono } from 'hono';
import { z } from 'zod';
import { listCampaigns } from '../../../src/db/campaign-repository.ts';
import { type Network, networks } from '../../../src/networks/types.ts';
import { intervals, metrics, networkChoices, scopes, seriesMetrics } from '../../../src/rank/metrics.ts';
import {
  accountSeriesSchema,
  type CampaignListJson,
  campaignListSchema,
  campaignOverviewSchema,
  coverageSchema,
  homeRankHistorySchema,
  rankedLeaderboardSchema,
} from '../../api-contract.ts';
import {
  campaignJson,
  campaignOr404,
  coverageJson,
  overviewJson,
  rankHistoryJson,
  seriesJson,
} from '../api-responses.ts';
import { invalidParameter } from '../middleware/errors.ts';
import { describeRoute } from '../openapi/route-docs.ts';
import {
  accountParams,
  checkBuckets,
  checkWindow,
  instant,
  integerIn,
  oneOf,
  validQuery,
} from '../request-validation.ts';
import type { DashboardContext } from './context.ts';

const window = { from: instant.optional(), to: instant.optional() };

const leaderboardQuery = z.object({
  metric: oneOf(metrics).default('posts'),
  scope: oneOf(scopes).default('all'),
  network: oneOf(networkChoices).default('all'),
  ...window,
  limit: integerIn(1, 500).default(50),
});

/** What both forms of the account series route answer. */
const seriesAnswers = {
  responses: { 200: { description: 'one point per bucket with a value', json: accountSeriesSchema } },
  errors: { 400: 'a parameter is invalid (or the window holds too many buckets): the message names it' },
};

const seriesQuery = z.object({
  metric: oneOf(seriesMetrics).default('followers'),
  interval: oneOf(intervals).default('hour'),
  ...window,
});

const rankHistoryQuery = z.object({
  metric: oneOf(metrics).default('posts'),
  scope: oneOf(scopes).default('all'),
  network: oneOf(networkChoices).default('all'),
  interval: oneOf(intervals).default('hour'),
  ...window,
});

const overviewQuery = z.object({
  ...window,
  top: integerIn(1, 100).default(10),
  network: oneOf(networkChoices).default('all'),
});

const coverageQuery = z.object(window);

/** An X username, the @ optional: the handler checks the path parameter with it, the document states it. */
const usernameParam = /^@?[A-Za-z0-9_]{1,15}$/;

/** The JSON API, mounted under /api/v1. */
export function apiRoutes({ db, clock, leaderboards }: DashboardContext): Hono {
  /** The campaign and the window asked for (default: the campaign's), checked. */
  const target = async (slug: string, query: { from?: Date | undefined; to?: Date | undefined }) => {
    const campaign = await campaignOr404(db, slug);
    const from = query.from ?? campaign.window_start;
    const to = query.to ?? campaign.window_end;
    checkWindow(from, to);
    return { campaign, from, to };
  };

  /** An account's series: the X form and the per-network form of the route answer alike. */
  const series = async (
    slug: string,
    query: z.output<typeof seriesQuery>,
    account: { network: Network; handle: string },
  ) => {
    const { campaign, from, to } = await target(slug, query);
    checkBuckets(from, to, query.interval);
    return seriesJson(db, campaign, account, { ...query, from, to }, clock.now());
  };

  return new Hono()
    .use(async (c, next) => {
      await next();
      // Live numbers: a cached answer is a wrong answer.
      c.header('Cache-Control', 'no-store');
    })
    .get(
      '/campaigns',
      describeRoute({
        summary: 'The campaigns',
        responses: { 200: { description: 'every campaign applied', json: campaignListSchema } },
      }),
      async (c) => {
        const campaigns = await listCampaigns(db);
        return c.json<CampaignListJson>({ campaigns: campaigns.map(campaignJson) });
      },
    )
    .get(
      '/campaigns/:slug/leaderboard',
      describeRoute({
        summary: 'The leaderboard of a metric, with movement',
        description: 'Ranks over [from, to) (default: the campaign window); definitions: docs/METRICS.md.',
        responses: { 200: { description: 'the ranked accounts', json: rankedLeaderboardSchema } },
      }),
      validQuery(leaderboardQuery),
      async (c) => {
        const query = c.req.valid('query');
        const { campaign, from, to } = await target(c.req.param('slug'), query);
        return c.json(await leaderboards.read(campaign, { ...query, from, to }));
      },
    )
    .get(
      '/campaigns/:slug/accounts/:username/series',
      describeRoute({
        summary: "An account's followers, posts or engagement per hour or day",
        params: {
          username: {
            description: 'an X username (the @ is optional)',
            schema: { type: 'string', pattern: usernameParam.source },
          },
        },
        ...seriesAnswers,
      }),
      validQuery(seriesQuery),
      async (c) => {
        const given = c.req.param('username');
        if (!usernameParam.test(given)) {
          throw invalidParameter('username: expected an X username (1–15 letters, digits or _)');
        }
        const account = { network: 'x' as const, handle: given.replace(/^@/, '') };
        return c.json(await series(c.req.param('slug'), c.req.valid('query'), account));
      },
    )
    .get(
      '/campaigns/:slug/accounts/:network/:handle/series',
      describeRoute({
        summary: "An account's followers, posts or engagement per hour or day, on its network",
        params: {
          network: { description: 'x, bluesky or mastodon', schema: { type: 'string', enum: [...networks] } },
          handle: {
            description:
              'the account on that network: an X username, a Bluesky handle (a domain), a Mastodon user@instance; the @ is optional',
            schema: { type: 'string' },
          },
        },
        ...seriesAnswers,
      }),
      validQuery(seriesQuery),
      async (c) => {
        const account = accountParams(c.req.param('network'), c.req.param('handle'));
        return c.json(await series(c.req.param('slug'), c.req.valid('query'), account));
      },
    )
    .get(
      '/campaigns/:slug/rank-history',
      describeRoute({
        summary: "The home account's rank at the end of each hour or day",
        responses: { 200: { description: 'one point per bucket', json: homeRankHistorySchema } },
      }),
      validQuery(rankHistoryQuery),
      async (c) => {
        const query = c.req.valid('query');
        const { campaign, from, to } = await target(c.req.param('slug'), query);
        checkBuckets(from, to, query.interval);
        return c.json(await rankHistoryJson(db, campaign, { ...query, from, to }, clock.now()));
      },
    )
    .get(
      '/campaigns/:slug/overview',
      describeRoute({
        summary: 'Activity per query, share of voice, top posts and the headline',
        responses: {
          200: { description: "the campaign's figures over the window", json: campaignOverviewSchema },
        },
      }),
      validQuery(overviewQuery),
      async (c) => {
        const query = c.req.valid('query');
        const { campaign, from, to } = await target(c.req.param('slug'), query);
        return c.json(
          await overviewJson(db, campaign, { from, to, top: query.top, network: query.network }, clock.now()),
        );
      },
    )
    .get(
      '/campaigns/:slug/coverage',
      describeRoute({
        summary: 'How complete the data of each campaign hour is',
        responses: { 200: { description: 'per query and per hour', json: coverageSchema } },
      }),
      validQuery(coverageQuery),
      async (c) => {
        const query = c.req.valid('query');
        const { campaign, from, to } = await target(c.req.param('slug'), query);
        checkBuckets(from, to, 'hour');
        return c.json(await coverageJson(db, campaign, { from, to }, clock.now()));
      },
    );
}
