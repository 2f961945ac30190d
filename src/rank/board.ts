import type { BoardEntry } from '../db/leaderboard-repository.ts';
import type { Network } from '../db/schema.ts';

/** The organisation or person a watchlist row stands for: its name and its accounts' networks. */
export interface EntityRef {
  name: string;
  networks: Network[];
  /** the handle of its one account on the board, when it has one only (the row links to it) */
  handle: string | null;
}

/**
 * An account on a board: who it is and its value on the window. On the watchlist scope a row is an
 * entity (`entity` set), named by it, standing on its account with the smallest id.
 */
export type Entry = BoardEntry & { entity?: EntityRef };

export type RankedEntry = Entry & { rank: number };

/** A board before movement: the rows on show and the home row, ranked on the window. */
export interface Board {
  /** accounts ranked */
  total: number;
  rows: RankedEntry[];
  home: RankedEntry | null;
}

/** Each account's rank on the earlier windows: [an hour ago, start of the day] (null: not ranked). */
export type Movement = Map<string, [number | null, number | null]>;

/**
 * Ranks of rows read in display order from the top: every higher value comes before, so a row
 * whose value differs from the one before it is ranked at its position (1, 2, 2, 4).
 */
export function rankInOrder(rows: Entry[]): RankedEntry[] {
  let rank = 0;
  return rows.map((row, index) => {
    if (index === 0 || rows[index - 1]?.value !== row.value) rank = index + 1;
    return { ...row, rank };
  });
}
