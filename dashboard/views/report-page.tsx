import type { FC } from 'hono/jsx';
import type { Campaign } from '../../src/db/schema.ts';
import { formatDateTime, formatNumber, formatWindow } from '../../src/present/format.ts';
import { headlineSentence } from '../../src/present/headline.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { CampaignOverviewJson, RankedLeaderboardJson, RankedRowJson } from '../api-contract.ts';

export interface ReportView {
  lang: Lang;
  overview: CampaignOverviewJson;
  /** by posts, all accounts, the top 10 (and the home row) */
  leaderboard: RankedLeaderboardJson;
  /** the follower growth chart: the PNG export, drawn on the server */
  chartUrl: string;
  /** the exports of the campaign, for the "Downloads" list */
  downloads: Array<{ label: string; href: string }>;
}

/**
 * The post-event report on one printed A4 page (styles in report.css): the headline sentence, the
 * follower curve, the final top 10 by posts with the home account's row, the campaign's totals.
 * No script: it prints as it loads.
 */
export const ReportPage: FC<{ campaign: Campaign; view: ReportView }> = ({ campaign, view }) => {
  const { lang, overview, leaderboard: board } = view;
  const t = dictionaries[lang];
  const headline = headlineSentence(lang, overview.headline);
  const pinned = board.home && !board.rows.some((row) => row.isHome) ? board.home : null;
  const percent = (share: number | null) =>
    share === null
      ? '—'
      : new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', {
          style: 'percent',
          maximumFractionDigits: 1,
        }).format(share);
  return (
    <article class="report">
      <header class="report-head">
        <h1>{campaign.name}</h1>
        <p class="muted">
          {t.window} {formatWindow(lang, campaign.timezone, campaign.window_start, campaign.window_end)}
        </p>
        <p id="report-headline" class="report-headline">
          {headline}
        </p>
      </header>
      <figure class="report-chart">
        <img
          src={view.chartUrl}
          width={1600}
          height={900}
          alt={t.followersChartTitle(campaign.home_username, 'hour')}
        />
      </figure>
      <div class="report-columns">
        <section aria-labelledby="report-board">
          <h2 id="report-board">{t.finalLeaderboard}</h2>
          <table class="report-table">
            <thead>
              <tr>
                <th scope="col">{t.rank}</th>
                <th scope="col">{t.account}</th>
                <th scope="col" class="num">
                  {t.metricTitles.posts}
                </th>
              </tr>
            </thead>
            <tbody>
              {board.rows.map((row) => (
                <BoardRow lang={lang} row={row} />
              ))}
              {pinned && <BoardRow lang={lang} row={pinned} />}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="report-totals">
          <h2 id="report-totals">{t.campaignTotals}</h2>
          <dl class="report-totals">
            <dt>{t.totalAuthors}</dt>
            <dd>{formatNumber(lang, overview.uniqueAuthors)}</dd>
            <dt>{t.totalPosts}</dt>
            <dd>{formatNumber(lang, overview.posts)}</dd>
            <dt>{t.totalEngagement}</dt>
            <dd>{formatNumber(lang, overview.engagement)}</dd>
            <dt>{t.shareOfPosts(campaign.home_username)}</dt>
            <dd>{percent(overview.home.shareOfPosts)}</dd>
            <dt>{t.shareOfEngagement(campaign.home_username)}</dt>
            <dd>{percent(overview.home.shareOfEngagement)}</dd>
          </dl>
        </section>
      </div>
      <footer class="report-foot muted">
        <p>
          {t.aboutNumbers}{' '}
          {board.lastCollectedAt
            ? formatDateTime(lang, campaign.timezone, new Date(board.lastCollectedAt))
            : t.notCollectedYet}{' '}
          ({campaign.timezone}).
        </p>
        <nav class="report-downloads" aria-label={t.downloads}>
          <span>{t.downloads}:</span>
          {view.downloads.map((link) => (
            <a href={link.href} download>
              {link.label}
            </a>
          ))}
        </nav>
        <p class="screen-only">{t.printHint}</p>
      </footer>
    </article>
  );
};

const BoardRow: FC<{ lang: Lang; row: RankedRowJson }> = ({ lang, row }) => (
  <tr class={row.isHome ? 'home' : undefined}>
    <td>{formatNumber(lang, row.rank)}</td>
    <td>@{row.username}</td>
    <td class="num">{formatNumber(lang, row.value)}</td>
  </tr>
);
