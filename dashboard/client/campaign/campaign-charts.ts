import { followerGrowthSeries } from '../../../src/present/chart-options.ts';
import type {
  AccountSeriesJson,
  CampaignOverviewJson,
  HomeRankHistoryJson,
  SeriesJson,
} from '../../api-contract.ts';
import { followersText } from '../../views/present.ts';
import { chartPanel } from '../chart-panel.ts';
import { readJson, setText } from '../fetch.ts';
import { serialized } from '../live.ts';
import { drawCoverage } from './coverage.tsx';
import { byId, metricName, type PageState, selectionOf } from './page-state.ts';
import { drawTopPosts } from './top-posts.tsx';

/**
 * Charts are redrawn at most this often (their points are hours and days, and some of their reads
 * are heavy); the leaderboard at every update.
 */
const chartsEveryMs = 15_000;

export interface CampaignCharts {
  /** draws the follower series that came with the page, then reads and draws every chart */
  start(): void;
  /** redraws every chart, at most once per `chartsEveryMs`; the last call is never lost */
  soon(): void;
  /** the home account against the peers checked */
  drawFollowers(): Promise<void>;
  /** the home account's rank on the metric and scope chosen */
  drawRank(): Promise<void>;
  /** the rank chart's title names the metric chosen */
  setRankTitle(): void;
}

/** The live page's four charts (and its top posts, which come with the overview, and its coverage strip). */
export function campaignCharts(state: PageState): CampaignCharts {
  const { data } = state;
  const { apiBase, homeUsername } = data;
  const options = {
    lang: data.lang,
    timeZone: data.timezone,
    from: data.leaderboard.from,
    to: data.leaderboard.to,
    fileName: data.slug,
  };
  const charts = {
    followers: chartPanel('followers', { ...options, interval: 'hour', legend: true }),
    rank: chartPanel('rank', { ...options, interval: 'hour', rank: true }),
    queries: chartPanel('queries', { ...options, interval: 'hour', legend: true }),
    engagement: chartPanel('engagement', { ...options, interval: 'day', kind: 'bar' }),
  };
  const home = `@${homeUsername}`;

  const checkedPeers = () =>
    [...document.querySelectorAll<HTMLInputElement>('input[name="peer"]')]
      .filter((input) => input.checked)
      .map((input) => input.value);

  const seriesUrl = (username: string, metric: string, interval: string) =>
    `${apiBase}/accounts/${encodeURIComponent(username)}/series?metric=${metric}&interval=${interval}`;

  const drawFollowers = async () => {
    const peers = checkedPeers();
    const reads = await Promise.all(
      [homeUsername, ...peers].map((username) =>
        readJson<SeriesJson>(seriesUrl(username, 'followers', 'hour')),
      ),
    );
    const homeRead = reads[0];
    if (homeRead?.ok) {
      state.homeSeries = homeRead.body;
      setText(byId('followers'), followersText(data.lang, state.homeSeries));
    }
    const accounts = [{ username: homeUsername, points: state.homeSeries.points, emphasis: true }];
    peers.forEach((peer, index) => {
      const read = reads[index + 1];
      if (read?.ok) accounts.push({ username: peer, points: read.body.points, emphasis: false });
    });
    charts.followers?.show(followerGrowthSeries(data.lang, accounts));
  };

  const drawRank = async () => {
    const wanted = selectionOf(state);
    const { metric, scope } = state;
    const read = await readJson<HomeRankHistoryJson>(
      `${apiBase}/rank-history?${new URLSearchParams({ metric, scope, interval: 'hour' })}`,
    );
    // An answer for a metric or scope switched away from is not drawn.
    if (wanted !== selectionOf(state)) return;
    if (!read.ok) return read.missing ? charts.rank?.unavailable() : undefined;
    if (!Array.isArray(read.body.points)) return charts.rank?.unavailable();
    charts.rank?.show([
      {
        label: home,
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
    if (Array.isArray(read.body.topPosts)) drawTopPosts(state, read.body.topPosts);
  };

  const drawEngagement = async () => {
    const read = await readJson<AccountSeriesJson>(seriesUrl(homeUsername, 'engagement', 'day'));
    if (!read.ok) return read.missing ? charts.engagement?.unavailable() : undefined;
    charts.engagement?.show([{ label: home, points: read.body.points, emphasis: true }]);
  };

  let drawnAt = 0;
  let tookMs = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = serialized(async () => {
    drawnAt = Date.now();
    await Promise.all([drawFollowers(), drawRank(), drawOverview(), drawEngagement(), drawCoverage(state)]);
    tookMs = Date.now() - drawnAt;
    performance.mark('dashboard:charts');
  });
  /**
   * At most one redraw per `chartsEveryMs`, or per five times what the last one took when the API
   * is slow (a page left open must not keep the database busy).
   */
  const soon = () => {
    const wait = drawnAt + Math.max(chartsEveryMs, 5 * tookMs) - Date.now();
    if (wait <= 0) {
      void refresh();
      return;
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, wait);
  };

  return {
    start() {
      charts.followers?.show(
        followerGrowthSeries(data.lang, [
          { username: homeUsername, points: state.homeSeries.points, emphasis: true },
        ]),
      );
      void refresh();
    },
    soon,
    drawFollowers,
    drawRank,
    setRankTitle: () => charts.rank?.setTitle(state.t.rankHistory(homeUsername, metricName(state))),
  };
}
