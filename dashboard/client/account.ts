import type { AccountPageData, AccountSeriesJson } from '../api-contract.ts';
import { chartPanel } from './chart-panel.ts';
import { readJson } from './fetch.ts';

/** The account page's charts: followers, posts and engagement per day, from the series API. */
export function startAccountPage(data: AccountPageData): void {
  const options = {
    lang: data.lang,
    timeZone: data.timezone,
    from: data.from,
    to: data.to,
    interval: 'day' as const,
    fileName: `${data.slug}-${data.username}`,
  };
  const draws = (['followers', 'posts', 'engagement'] as const).map(async (metric) => {
    const panel = chartPanel(metric, { ...options, kind: metric === 'followers' ? 'line' : 'bar' });
    if (!panel) return;
    const read = await readJson<AccountSeriesJson>(
      `${data.apiBase}/accounts/${data.network}/${encodeURIComponent(data.username)}/series?metric=${metric}&interval=day`,
    );
    if (read.ok) panel.show([{ label: `@${data.username}`, points: read.body.points, emphasis: true }]);
    else if (read.missing) panel.unavailable();
  });
  void Promise.all(draws).then(() => performance.mark('dashboard:charts'));
}
