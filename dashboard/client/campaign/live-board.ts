import { formatTime } from '../../../src/present/format.ts';
import type { RankedLeaderboardJson } from '../../api-contract.ts';
import { headlineText } from '../../views/present.ts';
import { readJson, setText } from '../fetch.ts';
import { serialized } from '../live.ts';
import { drawRows } from './board-rows.tsx';
import { byId, metricName, type PageState, selectionOf } from './page-state.ts';

/**
 * The leaderboard, re-read from the API: its rows (board-rows.tsx) and what is written around them
 * (headline, caption, value heading, when collected and updated).
 */
export function leaderboard(state: PageState): { refresh: () => Promise<void> } {
  const { data, t } = state;
  const { lang, timezone: timeZone } = data;

  const draw = (board: RankedLeaderboardJson | null) => {
    const note = byId('board-note');
    if (note) {
      note.hidden = board !== null;
      note.textContent = t.metricUnavailable(metricName(state));
    }
    setText(byId('value-heading'), t.metricTitles[state.metric] ?? state.metric);
    setText(
      byId('headline'),
      board ? headlineText(lang, board, data.homeUsername) : t.metricUnavailable(metricName(state)),
    );
    setText(byId('board-caption'), t.leaderboardCaption(board?.rows.length ?? 0));
    const rows = byId('rows');
    const pinned = byId('pinned');
    if (rows && pinned) {
      const ranks = drawRows(
        { rows, pinned },
        board,
        { lang, slug: data.slug, metric: state.metric },
        state.ranks,
      );
      state.ranks = board ? ranks : undefined;
    }
    if (board?.lastCollectedAt) state.lastCollectedAt = board.lastCollectedAt;
    setText(
      byId('collected'),
      state.lastCollectedAt
        ? t.lastCollected(formatTime(lang, timeZone, new Date(state.lastCollectedAt)))
        : t.notCollectedYet,
    );
    // Last: "updated at" means everything above was redrawn.
    if (board) setText(byId('updated'), t.updatedAt(formatTime(lang, timeZone, new Date(board.asOf))));
  };

  const refresh = serialized(async () => {
    const wanted = selectionOf(state);
    const { metric, scope, network } = state;
    const read = await readJson<RankedLeaderboardJson>(
      `${data.apiBase}/leaderboard?${new URLSearchParams({ metric, scope, network, limit: String(data.limit) })}`,
    );
    // A switch while the request was out: its own refresh follows.
    if (wanted !== selectionOf(state)) return;
    if (read.ok) draw(read.body);
    else if (read.missing) draw(null);
    else setText(byId('updated'), t.updateFailed);
  });

  return { refresh };
}
