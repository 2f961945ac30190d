import { Hono } from 'hono';
import { dictionaries } from '../../../src/present/i18n.ts';
import { langOf, switchLanguageHref } from '../../views/language.ts';
import { Layout } from '../../views/layout.tsx';
import { ReportPage } from '../../views/report-page.tsx';
import { campaignOr404, leaderboardJson, overviewJson } from '../api-responses.ts';
import { buildAssets } from '../client-bundle.ts';
import type { DashboardContext } from './context.ts';

/**
 * `/campaigns/:slug/report`: the post-event report, one printable page over the campaign window,
 * with the ranking API's figures (the same reads as the JSON API) and the PNG export's chart.
 */
export function reportRoutes({ db, clock, demo }: DashboardContext): Hono {
  return new Hono().get('/campaigns/:slug/report', async (c) => {
    const lang = langOf(c);
    const campaign = await campaignOr404(db, c.req.param('slug'));
    const window = { from: campaign.window_start, to: campaign.window_end };
    const now = clock.now();
    const [overview, leaderboard, assets] = await Promise.all([
      overviewJson(db, campaign, { ...window, top: 10 }, now),
      leaderboardJson(db, campaign, { metric: 'posts', scope: 'all', ...window, limit: 10 }, now),
      buildAssets(),
    ]);
    const base = `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}/export`;
    const t = dictionaries[lang];
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Accept-Language');
    return c.html(
      <Layout
        lang={lang}
        title={t.reportTitle(campaign.name)}
        demo={demo}
        switchHref={switchLanguageHref(c, lang)}
        assets={assets}
      >
        <ReportPage
          campaign={campaign}
          view={{
            lang,
            overview,
            leaderboard,
            chartUrl: `${base}/followers.png?interval=hour&lang=${lang}`,
            downloads: [
              { label: `${t.axisFollowers} (CSV)`, href: `${base}/followers.csv?interval=day` },
              { label: `${t.axisFollowers} (XLSX)`, href: `${base}/followers.xlsx?interval=day` },
              { label: `${t.axisFollowers} (PNG)`, href: `${base}/followers.png?interval=hour&lang=${lang}` },
              { label: `${t.leaderboardFile} (XLSX)`, href: `${base}/leaderboard.xlsx?metric=posts` },
              { label: `${t.campaignTotals} (XLSX)`, href: `${base}/overview.xlsx` },
              { label: `${t.metricTitles.posts} (CSV)`, href: `${base}/posts.csv` },
            ],
          }}
        />
      </Layout>,
    );
  });
}
