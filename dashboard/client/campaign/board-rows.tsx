import { render } from 'hono/jsx/dom';
import type { Lang } from '../../../src/present/i18n.ts';
import type { RankedLeaderboardJson } from '../../api-contract.ts';
import { LeaderboardRows, pinnedRows, type RowHighlight } from '../../views/leaderboard-table.tsx';

export interface RowsContext {
  lang: Lang;
  slug: string;
  metric: string;
}

/**
 * Redraws the board's two bodies (`#rows`, `#pinned`) with the server's own component
 * (views/leaderboard-table.tsx), rendered by hono/jsx/dom. Each draw makes new rows, so a row whose
 * rank changed since `previousRanks` flashes (`rose`, `fell`), again at each move. Returns the
 * ranks drawn, by account id; no board (a metric the API lacks) empties both bodies.
 */
export function drawRows(
  bodies: { rows: HTMLElement; pinned: HTMLElement },
  board: RankedLeaderboardJson | null,
  context: RowsContext,
  previousRanks: Map<string, number> | undefined,
): Map<string, number> {
  const rows = board?.rows ?? [];
  const pinned = board ? pinnedRows(board) : [];
  const highlights = new Map<string, RowHighlight>();
  for (const row of [...rows, ...pinned]) {
    const before = previousRanks?.get(row.accountId);
    if (before !== undefined && before !== row.rank) {
      highlights.set(row.accountId, before > row.rank ? 'rose' : 'fell');
    }
  }
  render(<LeaderboardRows {...context} rows={rows} highlights={highlights} />, bodies.rows);
  render(<LeaderboardRows {...context} rows={pinned} highlights={highlights} />, bodies.pinned);
  return new Map([...rows, ...pinned].map((row) => [row.accountId, row.rank]));
}
