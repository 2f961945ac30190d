import { Hono } from 'hono';
import { z } from 'zod';
import { listCampaigns } from '../../src/db/campaigns.ts';
import { metrics, scopes } from '../../src/rank/leaderboard.ts';
import type { DashboardDeps } from '../app.ts';
import { campaignJson, campaignOr404, followerSeriesJson, leaderboardJson } from '../data.ts';
import { invalidParameter } from '../errors.ts';
import { checkWindow, instant, oneOf, validQuery } from '../query.ts';

const leaderboardQuery = z.object({
  metric: oneOf(metrics).default('posts'),
  scope: oneOf(scopes).default('all'),
  from: instant.optional(),
  to: instant.optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'expected an integer from 1 to 500')
    .transform(Number)
    .pipe(
      z.number().min(1, 'expected an integer from 1 to 500').max(500, 'expected an integer from 1 to 500'),
    )
    .default(50),
});

// Only followers have a series for now; the other metrics come with their history tables.
const seriesQuery = z.object({
  metric: oneOf(['followers']).default('followers'),
  interval: oneOf(['hour', 'day']).default('hour'),
  from: instant.optional(),
  to: instant.optional(),
});

const username = /^[A-Za-z0-9_]{1,15}$/;

/** The JSON API, mounted under /api/v1. */
export function apiRoutes({ db, clock }: DashboardDeps): Hono {
  return new Hono()
    .use(async (c, next) => {
      await next();
      // Live numbers: a cached answer is a wrong answer.
      c.header('Cache-Control', 'no-store');
    })
    .get('/campaigns', async (c) => {
      const campaigns = await listCampaigns(db);
      return c.json({ campaigns: campaigns.map(campaignJson) });
    })
    .get('/campaigns/:slug/leaderboard', validQuery(leaderboardQuery), async (c) => {
      const query = c.req.valid('query');
      const campaign = await campaignOr404(db, c.req.param('slug'));
      const from = query.from ?? campaign.window_start;
      const to = query.to ?? campaign.window_end;
      checkWindow(from, to);
      return c.json(await leaderboardJson(db, campaign, { ...query, from, to }, clock.now()));
    })
    .get('/campaigns/:slug/accounts/:username/series', validQuery(seriesQuery), async (c) => {
      const query = c.req.valid('query');
      const account = c.req.param('username').replace(/^@/, '');
      if (!username.test(account)) {
        throw invalidParameter('username: expected an X username (1–15 letters, digits or _)');
      }
      const campaign = await campaignOr404(db, c.req.param('slug'));
      const from = query.from ?? campaign.window_start;
      const to = query.to ?? campaign.window_end;
      checkWindow(from, to);
      const options = { interval: query.interval, from, to };
      return c.json(await followerSeriesJson(db, campaign, account, options, clock.now()));
    });
}
