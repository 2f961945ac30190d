import { formatDelta, formatNumber } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { LeaderboardJson, SeriesJson } from '../api-contract.ts';

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

export interface Movement {
  kind: 'up' | 'down' | 'same' | 'new';
  /** what the cell shows: `▲2`, `▼1`, `=`, `new` */
  symbol: string;
  /** what a screen reader says */
  label: string;
}

/**
 * ▲▼ from the rank an hour ago. Nothing when the API does not send it (undefined); `new` when
 * the account was not ranked an hour ago (null).
 */
export function movementOf(
  lang: Lang,
  rank: number,
  rankHourAgo: number | null | undefined,
): Movement | null {
  const t = dictionaries[lang];
  if (rankHourAgo === undefined) return null;
  if (rankHourAgo === null) return { kind: 'new', symbol: t.newEntry, label: t.newEntryLong };
  const places = rankHourAgo - rank;
  if (places > 0) return { kind: 'up', symbol: `▲${formatNumber(lang, places)}`, label: t.movedUp(places) };
  if (places < 0) {
    return { kind: 'down', symbol: `▼${formatNumber(lang, -places)}`, label: t.movedDown(-places) };
  }
  return { kind: 'same', symbol: '=', label: t.unmoved };
}

/** The account page of a leaderboard row, keeping the language. */
export function accountHref(slug: string, username: string, lang: Lang): string {
  return `/campaigns/${encodeURIComponent(slug)}/accounts/${encodeURIComponent(username)}?lang=${lang}`;
}

/** A post on X; ids are digits and usernames [A-Za-z0-9_], so the address needs no escaping. */
export function postHref(username: string, id: string): string {
  return `https://x.com/${encodeURIComponent(username)}/status/${encodeURIComponent(id)}`;
}
