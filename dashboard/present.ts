import type { LeaderboardJson, SeriesJson } from './contract.ts';
import { formatDelta, formatNumber } from './format.ts';
import { dictionaries, type Lang } from './i18n.ts';

/** Texts of the live page, computed the same way by the server (first paint) and the browser (refreshes). */

export function headlineText(lang: Lang, board: LeaderboardJson, homeUsername: string): string {
  const t = dictionaries[lang];
  const metric = t.metrics[board.metric] ?? board.metric;
  if (!board.home) return t.notRanked(homeUsername, metric);
  return t.headline({
    username: board.home.username,
    rank: board.home.rank,
    total: formatNumber(lang, board.total),
    metric,
  });
}

/** "1,234 followers · +318 in the window", from the first and last readings of the series. */
export function followersText(lang: Lang, series: SeriesJson): string {
  const t = dictionaries[lang];
  const first = series.points[0];
  const last = series.points.at(-1);
  if (!first || !last) return t.noFollowers;
  return `${t.followers(formatNumber(lang, last.value))} · ${t.growth(formatDelta(lang, last.value - first.value))}`;
}

/** Profile images come from X: only http(s) addresses become an <img src>. */
export function safeImageUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}
