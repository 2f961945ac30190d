import type { Network } from '../../src/networks/types.ts';
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

/**
 * A profile image as the dashboard serves it from its own origin (dashboard/server/routes/avatars.ts):
 * no page asks another host for anything. `v` names the image's source URL, so the address changes
 * when the account's image does and the browser may keep each version for good. Null: initials.
 */
export function avatarSrc(accountId: string, profileImageUrl: string | null): string | null {
  if (!profileImageUrl) return null;
  return `/avatars/${encodeURIComponent(accountId)}?v=${avatarVersion(profileImageUrl)}`;
}

/** FNV-1a of the source URL in hex: a short, stable tag computed alike on the server and in the browser. */
export function avatarVersion(sourceUrl: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sourceUrl.length; i++) {
    hash ^= sourceUrl.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Up to two letters for an account without an image: "Open Data Forum" → "OD", "@bob" → "B". */
export function initialsOf(name: string, username: string): string {
  const words = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const letters = (words.length > 0 ? words : [username]).slice(0, 2).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase();
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

export { networkLabels } from '../../src/present/headline.ts';

/** The account page of a leaderboard row, on its network, keeping the language. */
export function accountHref(slug: string, network: Network, handle: string, lang: Lang): string {
  return `/campaigns/${encodeURIComponent(slug)}/accounts/${network}/${encodeURIComponent(handle)}?lang=${lang}`;
}

/**
 * A post on its network: X by username and id; Bluesky's web app by the at:// URI's author DID and
 * record key; Mastodon by the status uri, which its home instance serves (and redirects to its page).
 */
export function postHref(post: { network: Network; username: string; nativeId: string }): string {
  switch (post.network) {
    case 'x':
      return `https://x.com/${encodeURIComponent(post.username)}/status/${encodeURIComponent(post.nativeId)}`;
    case 'bluesky': {
      const [, did = '', , rkey = ''] = /^at:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(post.nativeId) ?? [];
      return `https://bsky.app/profile/${encodeURIComponent(did)}/post/${encodeURIComponent(rkey)}`;
    }
    case 'mastodon':
      // Only web addresses become links: a uri is the instance's word, not ours.
      return /^https?:\/\//.test(post.nativeId) ? post.nativeId : '#';
  }
}
