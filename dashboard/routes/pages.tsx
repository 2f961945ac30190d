import { Hono } from 'hono';
import { listCampaigns } from '../../src/db/campaigns.ts';
import type { DashboardDeps } from '../app.ts';
import { buildAssets } from '../bundle.ts';
import type { PageData } from '../contract.ts';
import { campaignOr404, followerSeriesJson, leaderboardJson } from '../data.ts';
import { dictionaries } from '../i18n.ts';
import { langOf, switchLanguageHref } from '../language.ts';
import { CampaignPage } from '../views/campaign-page.tsx';
import { CampaignsPage } from '../views/campaigns-page.tsx';
import { Layout } from '../views/layout.tsx';

const topRows = 50;
const refreshMs = 5_000;

/** Server-rendered pages; the live one then refreshes itself from the JSON API. */
export function pageRoutes({ db, clock, demo }: DashboardDeps): Hono {
  return new Hono()
    .use(async (c, next) => {
      await next();
      c.header('Vary', 'Accept-Language');
      c.header('Cache-Control', 'no-store');
    })
    .get('/', async (c) => {
      const lang = langOf(c);
      const [campaigns, assets] = await Promise.all([listCampaigns(db), buildAssets()]);
      const t = dictionaries[lang];
      return c.html(
        <Layout
          lang={lang}
          title={t.appName}
          demo={demo}
          switchHref={switchLanguageHref(c, lang)}
          assets={assets}
        >
          <CampaignsPage lang={lang} campaigns={campaigns} />
        </Layout>,
      );
    })
    .get('/campaigns/:slug', async (c) => {
      const lang = langOf(c);
      const campaign = await campaignOr404(db, c.req.param('slug'));
      const window = { from: campaign.window_start, to: campaign.window_end };
      const now = clock.now();
      const [leaderboard, series, assets] = await Promise.all([
        leaderboardJson(db, campaign, { metric: 'posts', scope: 'all', ...window, limit: topRows }, now),
        followerSeriesJson(db, campaign, campaign.home_username, { interval: 'hour', ...window }, now),
        buildAssets(),
      ]);
      const base = `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}`;
      const data: PageData = {
        lang,
        timezone: campaign.timezone,
        homeUsername: campaign.home_username,
        leaderboardUrl: `${base}/leaderboard?metric=posts&scope=all&limit=${topRows}`,
        seriesUrl: `${base}/accounts/${encodeURIComponent(campaign.home_username)}/series?metric=followers&interval=hour`,
        refreshMs,
        leaderboard,
        series,
      };
      return c.html(
        <Layout
          lang={lang}
          title={`${campaign.name} — ${dictionaries[lang].appName}`}
          demo={demo}
          switchHref={switchLanguageHref(c, lang)}
          assets={assets}
          script
        >
          <CampaignPage campaign={campaign} data={data} />
        </Layout>,
      );
    });
}
