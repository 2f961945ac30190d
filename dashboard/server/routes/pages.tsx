import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { campaignFigures, findAccount, topPostsOf } from '../../../src/db/account-repository.ts';
import { listCampaigns, peersOf } from '../../../src/db/campaign-repository.ts';
import { latestReading } from '../../../src/db/follower-readings-repository.ts';
import { followedNetworks } from '../../../src/db/overview-repository.ts';
import type { Network } from '../../../src/networks/types.ts';
import { dictionaries, type Lang } from '../../../src/present/i18n.ts';
import { lastCollectedAt } from '../../../src/rank/freshness.ts';
import { metrics as rankedMetrics } from '../../../src/rank/leaderboard.ts';
import {
  type AccountPageData,
  type CampaignPageData,
  leaderboardMetrics,
  leaderboardScopes,
  type RankedLeaderboardJson,
  type ScreenPageData,
} from '../../api-contract.ts';
import { AccountPage } from '../../views/account-page.tsx';
import { CampaignPage } from '../../views/campaign-page.tsx';
import { CampaignsPage } from '../../views/campaigns-page.tsx';
import { langOf, switchLanguageHref } from '../../views/language.ts';
import { Layout } from '../../views/layout.tsx';
import { ScreenPage } from '../../views/screen-page.tsx';
import { screenRows } from '../../views/screen-panels.tsx';
import { screenText } from '../../views/screen-text.ts';
import { campaignOr404, coverageJson, followerSeriesJson, overviewJson } from '../api-responses.ts';
import { buildAssets } from '../client-bundle.ts';
import { notFound } from '../middleware/errors.ts';
import { accountParams } from '../request-validation.ts';
import type { DashboardContext } from './context.ts';

const topRows = 50;
/** How often the live page re-reads the API when the event stream is not available. */
const refreshMs = 5_000;
const username = /^[A-Za-z0-9_]{1,15}$/;

type RankedMetric = (typeof rankedMetrics)[number];
/** The ranking module grows metric by metric; the page offers every metric of the contract. */
const isRanked = (metric: string): metric is RankedMetric =>
  (rankedMetrics as readonly string[]).includes(metric);
/** `?every=` seconds per panel on the big screen: 15 by default, 3 to 300. */
const rotateMsOf = (given: string | undefined): number => {
  const seconds = Number(given);
  return Number.isFinite(seconds) && given !== undefined
    ? Math.min(300, Math.max(3, seconds)) * 1000
    : 15_000;
};
const pick = <T extends string>(values: readonly T[], given: string | undefined, fallback: T): T =>
  values.find((value) => value === given) ?? fallback;

/** Server-rendered pages; the live one then follows the campaign's event stream. */
export function pageRoutes({ db, clock, demo, leaderboards }: DashboardContext): Hono {
  const page = async (
    c: Context,
    lang: Lang,
    title: string,
    body: Child,
    options: { script?: boolean; bodyClass?: string } = {},
  ) => {
    const assets = await buildAssets();
    return c.html(
      <Layout
        lang={lang}
        title={title}
        demo={demo}
        switchHref={switchLanguageHref(c, lang)}
        assets={assets}
        script={options.script}
        bodyClass={options.bodyClass}
      >
        {body}
      </Layout>,
    );
  };

  return (
    new Hono()
      .use(async (c, next) => {
        await next();
        c.header('Vary', 'Accept-Language');
        c.header('Cache-Control', 'no-store');
      })
      .get('/', async (c) => {
        const lang = langOf(c);
        const campaigns = await listCampaigns(db);
        return page(c, lang, dictionaries[lang].appName, <CampaignsPage lang={lang} campaigns={campaigns} />);
      })
      .get('/campaigns/:slug', async (c) => {
        const lang = langOf(c);
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const metric = pick(leaderboardMetrics, c.req.query('metric'), 'posts');
        const scope = pick(leaderboardScopes, c.req.query('scope'), 'all');
        const networks = await followedNetworks(db, campaign);
        const network = pick(['all', ...networks], c.req.query('network'), 'all');
        const window = { from: campaign.window_start, to: campaign.window_end };
        const now = clock.now();
        const [leaderboard, series, peers, coverage] = await Promise.all([
          isRanked(metric)
            ? leaderboards.read(campaign, { metric, scope, network, ...window, limit: topRows })
            : null,
          followerSeriesJson(
            db,
            campaign,
            { network: 'x', handle: campaign.home_username },
            { interval: 'hour', ...window },
            now,
          ),
          peersOf(db, campaign.id),
          coverageJson(db, campaign, window, now),
        ]);
        const collectedAt = leaderboard
          ? leaderboard.lastCollectedAt
          : ((await lastCollectedAt(db, campaign.id))?.toISOString() ?? null);
        const apiBase = `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}`;
        const board: RankedLeaderboardJson = leaderboard ?? {
          campaign: campaign.slug,
          metric,
          scope,
          network,
          from: window.from.toISOString(),
          to: window.to.toISOString(),
          asOf: now.toISOString(),
          total: 0,
          rows: [],
          home: null,
          lastCollectedAt: collectedAt,
          movement: { hourAgo: null, dayStart: null },
        };
        const data: CampaignPageData = {
          lang,
          timezone: campaign.timezone,
          homeUsername: campaign.home_username,
          leaderboardUrl: `${apiBase}/leaderboard?metric=${metric}&scope=${scope}${network === 'all' ? '' : `&network=${network}`}&limit=${topRows}`,
          seriesUrl: `${apiBase}/accounts/${encodeURIComponent(campaign.home_username)}/series?metric=followers&interval=hour`,
          refreshMs,
          leaderboard: board,
          series,
          slug: campaign.slug,
          name: campaign.name,
          apiBase,
          eventsUrl: `${apiBase}/events`,
          metric,
          scope,
          network,
          networks,
          limit: topRows,
          metricAvailable: leaderboard !== null,
          peers,
          lastCollectedAt: collectedAt,
        };
        return page(
          c,
          lang,
          `${campaign.name} — ${dictionaries[lang].appName}`,
          <CampaignPage campaign={campaign} data={data} coverage={coverage.hours} />,
          { script: true },
        );
      })
      .get('/campaigns/:slug/screen', async (c) => {
        const lang = langOf(c);
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const window = { from: campaign.window_start, to: campaign.window_end };
        const now = clock.now();
        const [leaderboard, overview] = await Promise.all([
          leaderboards.read(campaign, { metric: 'posts', scope: 'all', ...window, limit: screenRows }),
          overviewJson(db, campaign, { ...window, top: 6 }, now),
        ]);
        const data: ScreenPageData = {
          lang,
          slug: campaign.slug,
          name: campaign.name,
          homeUsername: campaign.home_username,
          apiBase: `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}`,
          eventsUrl: `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}/events`,
          refreshMs,
          rotateMs: rotateMsOf(c.req.query('every')),
          leaderboard,
          overview,
        };
        return page(c, lang, screenText[lang].title(campaign.name), <ScreenPage data={data} />, {
          script: true,
          bodyClass: 'screen-mode',
        });
      })
      // The X form of the first wave stays: a bare username is an X account.
      .get('/campaigns/:slug/accounts/:username', (c) => {
        const name = c.req.param('username').replace(/^@/, '');
        const lang = langOf(c);
        if (!username.test(name)) throw notFound(dictionaries[lang].unknownAccount(name));
        return accountPage(c, { network: 'x', handle: name });
      })
      .get('/campaigns/:slug/accounts/:network/:handle', (c) =>
        accountPage(c, accountParams(c.req.param('network'), c.req.param('handle'))),
      )
  );

  /** An account's page: who it is, its campaign figures, charts and top posts. */
  async function accountPage(c: Context, wanted: { network: Network; handle: string }) {
    const lang = langOf(c);
    const campaign = await campaignOr404(db, c.req.param('slug') ?? '');
    const account = await findAccount(db, wanted.network, wanted.handle);
    if (!account) throw notFound(dictionaries[lang].unknownAccount(wanted.handle));
    const [snapshot, figures, topPosts] = await Promise.all([
      latestReading(db, account.id, clock.now()),
      campaignFigures(db, campaign, account.id),
      topPostsOf(db, campaign, account),
    ]);
    const data: AccountPageData = {
      lang,
      timezone: campaign.timezone,
      slug: campaign.slug,
      network: account.network,
      username: account.username,
      apiBase: `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}`,
      from: campaign.window_start.toISOString(),
      to: campaign.window_end.toISOString(),
    };
    return page(
      c,
      lang,
      `@${account.username} — ${campaign.name}`,
      <AccountPage
        campaign={campaign}
        view={{ account, snapshot: snapshot ?? null, figures, topPosts }}
        data={data}
      />,
      { script: true },
    );
  }
}
