import type { LeaderboardJson, PageData, SeriesJson } from '../contract.ts';
import { formatTime } from '../format.ts';
import { dictionaries } from '../i18n.ts';
import { followersText, headlineText } from '../present.ts';
import { type FollowerChart, followerChart, updateFollowerChart } from './chart.ts';
import { renderLeaderboard } from './table.ts';

/**
 * The live leaderboard page: starts from the JSON the server embedded, then re-reads the API every
 * few seconds and redraws in place. (Server-Sent Events will replace the polling.)
 */

// Avatars are X's images: offline, or once X moves them, they fail. Keep their space (no layout
// jump) but not the broken-image icon. Capture phase: error events do not bubble.
const hideBrokenImage = (img: HTMLImageElement) => {
  img.style.visibility = 'hidden';
};
document.addEventListener(
  'error',
  (event) => {
    if (event.target instanceof HTMLImageElement) hideBrokenImage(event.target);
  },
  true,
);
for (const img of document.images) if (img.complete && img.naturalWidth === 0) hideBrokenImage(img);

const embedded = document.getElementById('initial-data')?.textContent;
if (embedded) start(JSON.parse(embedded) as PageData);

function start(data: PageData): void {
  const t = dictionaries[data.lang];
  const byId = (id: string) => document.getElementById(id);
  const canvas = byId('followers-chart');
  const chart: FollowerChart | null =
    canvas instanceof HTMLCanvasElement ? followerChart(canvas, data.series, data.lang, data.timezone) : null;

  const render = (board: LeaderboardJson, series: SeriesJson) => {
    setText(byId('headline'), headlineText(data.lang, board, data.homeUsername));
    setText(byId('followers'), followersText(data.lang, series));
    const rows = byId('rows');
    const pinned = byId('pinned');
    if (rows && pinned) renderLeaderboard(rows, pinned, board, data.lang);
    if (chart) updateFollowerChart(chart, series);
    // Last: "updated at" means everything above was redrawn.
    setText(byId('updated'), t.updatedAt(formatTime(data.lang, data.timezone, new Date(board.asOf))));
  };

  const refresh = async () => {
    // A hidden tab does not need fresh numbers; it catches up when shown again.
    if (document.visibilityState !== 'hidden') {
      try {
        const [board, series] = await Promise.all([
          getJson<LeaderboardJson>(data.leaderboardUrl),
          getJson<SeriesJson>(data.seriesUrl),
        ]);
        render(board, series);
      } catch {
        setText(byId('updated'), t.updateFailed);
      }
    }
    setTimeout(refresh, data.refreshMs);
  };
  setTimeout(refresh, data.refreshMs);
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function setText(element: HTMLElement | null, text: string): void {
  if (element && element.textContent !== text) element.textContent = text;
}
