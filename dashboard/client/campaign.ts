import { formatDateTime, formatNumber, formatTime } from '../../src/present/format.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import type {
  AccountSeriesJson,
  CampaignOverviewJson,
  CampaignPageData,
  HomeRankHistoryJson,
  RankedLeaderboardJson,
  SeriesJson,
  TopPostJson,
} from '../api-contract.ts';
import { followersText, headlineText, postHref } from '../views/present.ts';
import { chartPanel } from './chart-panel.ts';
import type { Series } from './charts.ts';
import { readJson, setText } from './fetch.ts';
import { followCampaign, type LiveState, serialized } from './live.ts';
import { renderLeaderboard } from './table.tsx';

/**
 * Charts are redrawn at most this often (their points are hours and days, and some of their reads
 * are heavy); the leaderboard at every update.
 */
const chartsEveryMs = 15_000;

/**
 * The live leaderboard page: starts from the JSON the server embedded, then follows the campaign's
 * event stream and re-reads the API on each update. Metric and scope switch without a reload.
 */
export function startCampaignPage(data: CampaignPageData): void {
  const { lang, timezone: timeZone, apiBase } = data;
  const t = dictionaries[lang];
  const byId = (id: string) => document.getElementById(id);
  let metric = data.metric;
  let scope = data.scope;
  let lastCollectedAt = data.lastCollectedAt;
  let ranks: Map<string, number> | undefined = new Map(
    data.leaderboard.rows.map((row) => [row.accountId, row.rank]),
  );
  let homeSeries: SeriesJson = data.series;

  const metricName = () => t.metrics[metric] ?? metric;
  const chartOptions = {
    lang,
    timeZone,
    from: data.leaderboard.from,
    to: data.leaderboard.to,
    fileName: data.slug,
  };
  const charts = {
    followers: chartPanel('followers', { ...chartOptions, interval: 'hour', legend: true }),
    rank: chartPanel('rank', { ...chartOptions, interval: 'hour', rank: true }),
    queries: chartPanel('queries', { ...chartOptions, interval: 'hour', legend: true }),
    engagement: chartPanel('engagement', { ...chartOptions, interval: 'day', kind: 'bar' }),
  };

  // --- the leaderboard ---

  const renderBoard = (board: RankedLeaderboardJson | null) => {
    const rows = byId('rows');
    const pinned = byId('pinned');
    const note = byId('board-note');
    if (note) {
      note.hidden = board !== null;
      note.textContent = t.metricUnavailable(metricName());
    }
    setText(byId('value-heading'), t.metricTitles[metric] ?? metric);
    setText(
      byId('headline'),
      board ? headlineText(lang, board, data.homeUsername) : t.metricUnavailable(metricName()),
    );
    setText(byId('board-caption'), t.leaderboardCaption(board?.rows.length ?? 0));
    if (rows && pinned) {
      if (board) ranks = renderLeaderboard(rows, pinned, board, { lang, slug: data.slug, metric }, ranks);
      else {
        rows.replaceChildren();
        pinned.replaceChildren();
        ranks = undefined;
      }
    }
    if (board?.lastCollectedAt) lastCollectedAt = board.lastCollectedAt;
    setText(
      byId('collected'),
      lastCollectedAt
        ? t.lastCollected(formatTime(lang, timeZone, new Date(lastCollectedAt)))
        : t.notCollectedYet,
    );
    // Last: "updated at" means everything above was redrawn.
    if (board) setText(byId('updated'), t.updatedAt(formatTime(lang, timeZone, new Date(board.asOf))));
  };

  const refreshBoard = serialized(async () => {
    const wanted = `${metric}/${scope}`;
    const read = await readJson<RankedLeaderboardJson>(
      `${apiBase}/leaderboard?${new URLSearchParams({ metric, scope, limit: String(data.limit) })}`,
    );
    // A switch while the request was out: its own refresh follows.
    if (wanted !== `${metric}/${scope}`) return;
    if (read.ok) renderBoard(read.body);
    else if (read.missing) renderBoard(null);
    else setText(byId('updated'), t.updateFailed);
  });

  // --- the charts ---

  const checkedPeers = () =>
    [...document.querySelectorAll<HTMLInputElement>('input[name="peer"]')]
      .filter((input) => input.checked)
      .map((input) => input.value);

  const seriesUrl = (username: string, seriesMetric: string, interval: string) =>
    `${apiBase}/accounts/${encodeURIComponent(username)}/series?metric=${seriesMetric}&interval=${interval}`;

  const drawFollowers = async () => {
    const peers = checkedPeers();
    const reads = await Promise.all(
      [data.homeUsername, ...peers].map((username) =>
        readJson<SeriesJson>(seriesUrl(username, 'followers', 'hour')),
      ),
    );
    const home = reads[0];
    if (home?.ok) {
      homeSeries = home.body;
      setText(byId('followers'), followersText(lang, homeSeries));
    }
    const series: Series[] = [{ label: `@${data.homeUsername}`, points: homeSeries.points, emphasis: true }];
    peers.forEach((peer, index) => {
      const read = reads[index + 1];
      if (read?.ok) series.push({ label: `@${peer}`, points: read.body.points });
    });
    charts.followers?.show(series);
  };

  const drawRank = async () => {
    const wanted = `${metric}/${scope}`;
    const read = await readJson<HomeRankHistoryJson>(
      `${apiBase}/rank-history?${new URLSearchParams({ metric, scope, interval: 'hour' })}`,
    );
    // An answer for a metric or scope switched away from is not drawn.
    if (wanted !== `${metric}/${scope}`) return;
    if (!read.ok) return read.missing ? charts.rank?.unavailable() : undefined;
    if (!Array.isArray(read.body.points)) return charts.rank?.unavailable();
    charts.rank?.show([
      {
        label: `@${data.homeUsername}`,
        points: read.body.points.map((point) => ({ at: point.at, value: point.rank })),
        emphasis: true,
      },
    ]);
  };

  const drawOverview = async () => {
    const read = await readJson<CampaignOverviewJson>(`${apiBase}/overview`);
    if (!read.ok) return read.missing ? charts.queries?.unavailable() : undefined;
    const perQuery = read.body.postsPerHour;
    if (Array.isArray(perQuery)) {
      charts.queries?.show(perQuery.map((one) => ({ label: one.query, points: one.points })));
    } else charts.queries?.unavailable();
    if (Array.isArray(read.body.topPosts)) renderTopPosts(read.body.topPosts);
  };

  const drawEngagement = async () => {
    const read = await readJson<AccountSeriesJson>(seriesUrl(data.homeUsername, 'engagement', 'day'));
    if (!read.ok) return read.missing ? charts.engagement?.unavailable() : undefined;
    charts.engagement?.show([{ label: `@${data.homeUsername}`, points: read.body.points, emphasis: true }]);
  };

  const renderTopPosts = (posts: TopPostJson[]) => {
    const list = byId('top-posts');
    const section = byId('top-posts-section');
    if (!list || !section) return;
    section.hidden = posts.length === 0;
    list.replaceChildren(
      ...posts.slice(0, 10).map((post) => {
        const item = document.createElement('li');
        item.className = 'post';
        const text = document.createElement('p');
        text.className = 'post-text';
        // User-controlled: textContent, never innerHTML.
        text.textContent = post.text;
        const meta = document.createElement('p');
        meta.className = 'post-meta muted';
        const link = document.createElement('a');
        link.href = postHref(post.username, post.id);
        link.rel = 'noopener noreferrer';
        link.target = '_blank';
        link.textContent = t.viewOnX;
        const n = (value: number) => formatNumber(lang, value);
        meta.append(
          `@${post.username} · ${formatDateTime(lang, timeZone, new Date(post.createdAt))} · ` +
            `${t.likes} ${n(post.likes)} · ${t.reposts} ${n(post.reposts)} · ${t.replies} ${n(post.replies)} · `,
          link,
        );
        item.append(text, meta);
        return item;
      }),
    );
  };

  let chartsDrawnAt = 0;
  let chartsTookMs = 0;
  let chartsTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshCharts = serialized(async () => {
    chartsDrawnAt = Date.now();
    await Promise.all([drawFollowers(), drawRank(), drawOverview(), drawEngagement()]);
    chartsTookMs = Date.now() - chartsDrawnAt;
    performance.mark('dashboard:charts');
  });
  /**
   * At most one redraw of the charts per `chartsEveryMs`, or per five times what the last one took
   * when the API is slow (a page left open must not keep the database busy); the last update is
   * never lost.
   */
  const chartsSoon = () => {
    const wait = chartsDrawnAt + Math.max(chartsEveryMs, 5 * chartsTookMs) - Date.now();
    if (wait <= 0) {
      void refreshCharts();
      return;
    }
    if (chartsTimer) return;
    chartsTimer = setTimeout(() => {
      chartsTimer = undefined;
      void refreshCharts();
    }, wait);
  };

  // --- switches ---

  const updateSwitches = () => {
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#metric-switch a[data-metric]')) {
      if (link.dataset.metric === metric) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
      link.search = `?${new URLSearchParams({ metric: link.dataset.metric ?? '', scope, lang })}`;
    }
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#scope-switch a[data-scope]')) {
      if (link.dataset.scope === scope) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
      link.search = `?${new URLSearchParams({ metric, scope: link.dataset.scope ?? '', lang })}`;
    }
    history.replaceState(null, '', `?${new URLSearchParams({ metric, scope, lang })}`);
    const other = byId('lang-switch');
    if (other instanceof HTMLAnchorElement) {
      other.search = `?${new URLSearchParams({ metric, scope, lang: lang === 'fr' ? 'en' : 'fr' })}`;
    }
    charts.rank?.setTitle(t.rankHistory(data.homeUsername, metricName()));
  };

  const onSwitch = (event: MouseEvent) => {
    const link = (event.target as HTMLElement).closest<HTMLAnchorElement>('a[data-metric], a[data-scope]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const before = `${metric}/${scope}`;
    metric = link.dataset.metric ?? metric;
    scope = link.dataset.scope ?? scope;
    // Movement flashes compare like with like.
    ranks = undefined;
    updateSwitches();
    void refreshBoard();
    if (`${metric}/${scope}` !== before) void drawRank();
  };
  byId('metric-switch')?.addEventListener('click', onSwitch);
  byId('scope-switch')?.addEventListener('click', onSwitch);
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="peer"]')) {
    input.addEventListener('change', () => void drawFollowers());
  }

  // --- live ---

  let missed = false;
  const refresh = (at: string | null) => {
    if (at) lastCollectedAt = at;
    // A hidden tab does not need fresh numbers; it catches up when shown again.
    if (document.visibilityState === 'hidden') {
      missed = true;
      return;
    }
    void refreshBoard();
    chartsSoon();
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && missed) {
      missed = false;
      refresh(null);
    }
  });
  const status = byId('live-status');
  const labels: Record<LiveState, string> = {
    connecting: t.connecting,
    live: t.live,
    reconnecting: t.reconnecting,
    polling: t.polling,
  };
  const showState = (state: LiveState) => {
    status?.setAttribute('data-state', state);
    setText(status, labels[state]);
  };

  if (charts.followers)
    charts.followers.show([{ label: `@${data.homeUsername}`, points: homeSeries.points, emphasis: true }]);
  void refreshCharts();
  followCampaign(data.eventsUrl, data.refreshMs, { refresh, state: showState });
}
