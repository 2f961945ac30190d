import { render } from 'hono/jsx/dom';
import type { Lang } from '../../src/present/i18n.ts';
import type { RankedLeaderboardJson } from '../api-contract.ts';
import { LeaderboardRows, pinnedRows, type RowHighlight } from '../views/leaderboard-table.tsx';

export interface TableContext {
  lang: Lang;
  slug: string;
  metric: string;
}

/**
 * Redraws the rows of the leaderboard with the server's own component (views/leaderboard-table.tsx),
 * rendered by hono/jsx/dom: new rows each time, so rows whose rank changed since the last redraw
 * flash again (`rose`, `fell`).
 */
export function renderLeaderboard(
  rows: HTMLElement,
  pinned: HTMLElement,
  board: RankedLeaderboardJson,
  context: TableContext,
  previousRanks: Map<string, number> | undefined,
): Map<string, number> {
  const shown = [...board.rows, ...pinnedRows(board)];
  const highlights = new Map<string, RowHighlight>();
  for (const row of shown) {
    const before = previousRanks?.get(row.accountId);
    if (before !== undefined && before !== row.rank)
      highlights.set(row.accountId, before > row.rank ? 'rose' : 'fell');
  }
  render(<LeaderboardRows {...context} rows={board.rows} highlights={highlights} />, rows);
  render(<LeaderboardRows {...context} rows={pinnedRows(board)} highlights={highlights} />, pinned);
  return new Map(shown.map((row) => [row.accountId, row.rank]));
}
