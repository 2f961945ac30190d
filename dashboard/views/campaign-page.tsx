import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import type { Campaign } from '../../src/db/schema.ts';
import { formatTime, formatWindow } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import {
  type CampaignPageData,
  type CoverageJson,
  leaderboardMetrics,
  leaderboardScopes,
} from '../api-contract.ts';
import { CoverageStrip } from './coverage-strip.tsx';
import { LeaderboardRows, pinnedRows } from './leaderboard-table.tsx';
import { followersText, headlineText, networkLabels } from './present.ts';

/**
 * The live leaderboard. The browser code (client/campaign.ts and client/campaign/) redraws the same
 * elements, found by id, from the JSON API; its rows are this page's rows, one component rendered
 * by both (views/leaderboard-table.tsx).
 */
export const CampaignPage: FC<{
  campaign: Campaign;
  data: CampaignPageData;
  /** the coverage record's hours of the window, for the strip's first paint */
  coverage: CoverageJson['hours'];
}> = ({ campaign, data, coverage }) => {
  const { lang, leaderboard: board, series, metricAvailable: available } = data;
  const t = dictionaries[lang];
  const metricName = t.metrics[data.metric] ?? data.metric;
  // Every network (the default) is left out of the address, as on an X-only campaign.
  const switchHref = (metric: string, scope: string, network = data.network) =>
    `?${new URLSearchParams({ metric, scope, ...(network === 'all' ? {} : { network }), lang }).toString()}`;
  return (
    <>
      <h1>{campaign.name}</h1>
      <p class="muted">
        {t.window} {formatWindow(lang, campaign.timezone, campaign.window_start, campaign.window_end)} ·{' '}
        <a href={`/campaigns/${encodeURIComponent(campaign.slug)}/report?lang=${lang}`}>{t.report}</a>
      </p>
      <section class="headline">
        <p id="headline" class="headline-rank">
          {available ? headlineText(lang, board, data.homeUsername) : t.metricUnavailable(metricName)}
        </p>
        <p id="followers" class="headline-followers">
          {followersText(lang, series)}
        </p>
        <p class="status">
          <span id="live-status" class="live-status" data-state="connecting">
            {t.connecting}
          </span>
          <span id="collected">
            {data.lastCollectedAt
              ? t.lastCollected(formatTime(lang, campaign.timezone, new Date(data.lastCollectedAt)))
              : t.notCollectedYet}
          </span>
          <span id="updated" aria-live="polite">
            {t.updatedAt(formatTime(lang, campaign.timezone, new Date(board.asOf)))}
          </span>
        </p>
      </section>
      <div class="switches">
        <SwitchGroup id="metric-switch" label={t.metricSwitch}>
          {leaderboardMetrics.map((metric) => (
            <a
              class="switch"
              href={switchHref(metric, data.scope)}
              data-metric={metric}
              aria-current={metric === data.metric ? 'true' : undefined}
            >
              {t.metricTitles[metric] ?? metric}
            </a>
          ))}
        </SwitchGroup>
        <SwitchGroup id="scope-switch" label={t.scopeSwitch}>
          {leaderboardScopes.map((scope) => (
            <a
              class="switch"
              href={switchHref(data.metric, scope)}
              data-scope={scope}
              aria-current={scope === data.scope ? 'true' : undefined}
            >
              {t.scopes[scope] ?? scope}
            </a>
          ))}
        </SwitchGroup>
        {data.networks.length > 1 && (
          <SwitchGroup id="network-switch" label={t.networkSwitch}>
            {(['all', ...data.networks] as const).map((network) => (
              <a
                class="switch"
                href={switchHref(data.metric, data.scope, network)}
                data-network={network}
                aria-current={network === data.network ? 'true' : undefined}
              >
                {network === 'all' ? t.allNetworks : networkLabels[network]}
              </a>
            ))}
          </SwitchGroup>
        )}
      </div>
      <div class="panels">
        <section class="board" aria-labelledby="board-caption">
          <div class="board-scroll">
            <table>
              <caption id="board-caption">{t.leaderboardCaption(board.rows.length)}</caption>
              <colgroup>
                <col class="col-rank" />
                <col class="col-move" />
                <col />
                <col class="col-value" />
              </colgroup>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    {t.rank}
                  </th>
                  <th scope="col" class="move">
                    {t.movement}
                  </th>
                  <th scope="col">{t.account}</th>
                  <th scope="col" class="num" id="value-heading">
                    {t.metricTitles[data.metric] ?? data.metric}
                  </th>
                </tr>
              </thead>
              <tbody id="rows">
                <LeaderboardRows lang={lang} slug={data.slug} metric={data.metric} rows={board.rows} />
              </tbody>
              <tbody id="pinned" class="pinned">
                <LeaderboardRows lang={lang} slug={data.slug} metric={data.metric} rows={pinnedRows(board)} />
              </tbody>
            </table>
          </div>
          <p id="board-note" class="note" hidden={available}>
            {t.metricUnavailable(metricName)}
          </p>
        </section>
        <section class="charts" aria-label={t.charts}>
          <ChartFigure name="followers" title={t.followersVsPeers(data.homeUsername)} lang={lang}>
            {data.peers.length > 0 && (
              <fieldset class="peers">
                <legend>{t.compareWith}</legend>
                {data.peers.map((peer) => (
                  <label>
                    <input type="checkbox" name="peer" value={peer} checked /> @{peer}
                  </label>
                ))}
              </fieldset>
            )}
          </ChartFigure>
          <ChartFigure name="rank" title={t.rankHistory(data.homeUsername, metricName)} lang={lang} />
          <ChartFigure name="queries" title={t.postsPerQuery} lang={lang} />
          <ChartFigure name="engagement" title={t.engagementPerDay(data.homeUsername)} lang={lang} />
        </section>
      </div>
      <section class="coverage" aria-labelledby="coverage-title">
        <h2 id="coverage-title">{t.coverage.title}</h2>
        <div id="coverage">
          <CoverageStrip lang={lang} timeZone={campaign.timezone} hours={coverage} />
        </div>
      </section>
      <section id="top-posts-section" class="top-posts" hidden>
        <h2>{t.topPosts}</h2>
        <ol id="top-posts" />
      </section>
      <script type="application/json" id="initial-data">
        {raw(embedJson(data))}
      </script>
    </>
  );
};

const SwitchGroup: FC<{ id: string; label: string; children?: Child }> = ({ id, label, children }) => (
  <nav class="switch-group" aria-labelledby={`${id}-label`} id={id}>
    <span class="switch-label" id={`${id}-label`}>
      {label}
    </span>
    {children}
  </nav>
);

/** A chart with its title, its PNG download, and room for a "not available yet" note. */
export const ChartFigure: FC<{ name: string; title: string; lang: Lang; children?: Child }> = ({
  name,
  title,
  lang,
  children,
}) => {
  const t = dictionaries[lang];
  return (
    <figure class="chart" id={`${name}-figure`}>
      <figcaption>
        <h2 class="chart-title" id={`${name}-title`}>
          {title}
        </h2>
        <button type="button" class="png" data-chart={name} aria-describedby={`${name}-title`} disabled>
          {t.downloadPng}
        </button>
      </figcaption>
      {children}
      <div class="chart-box">
        <canvas id={`${name}-chart`} role="img" aria-labelledby={`${name}-title`} />
        <p class="chart-note" id={`${name}-note`} hidden />
      </div>
    </figure>
  );
};

/**
 * JSON inside <script>: the HTML parser only looks for `</script` and `<!--`, so escaping every `<`
 * keeps names and post texts from closing the element. U+2028/2029 are escaped for older parsers.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
