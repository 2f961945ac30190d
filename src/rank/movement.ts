import type { Db } from '../db/database.ts';
import {
  earlierValueCounts,
  type Leaders,
  membersOf,
  spanValuesOfAccounts,
  spanValuesOfUsernames,
  type WindowValues,
} from '../db/leaderboard-repository.ts';
import type { Campaign } from '../db/schema.ts';
import type { Entry, Movement } from './board.ts';
import { ValueCounts } from './ranking.ts';
import type { Span } from './windows.ts';

/**
 * Ranks of the target accounts (the rows on show and the home row of a board ranked in SQL) on the
 * windows [from, ref). Values only grow with the window, so an account can be above a target's
 * earlier value v only if its value on the whole window is above v: the candidates are the
 * accounts whose window value exceeds the smallest target value (a short index range for the top of
 * a board), and only their late contributions, [ref, to), are read. A board of another window than
 * the campaign's hands over its leaders (src/db/leaderboard-repository.ts, `rankedBoard`): when
 * they hold every candidate, their values are not read again.
 */
export async function movementOf(
  db: Db,
  campaign: Campaign,
  values: WindowValues,
  targets: Entry[],
  refs: Array<Date | null>,
  /** the board's accounts of highest value, when it read them (boards of other windows than the campaign's) */
  leaders?: Leaders,
): Promise<Movement> {
  const movement: Movement = new Map(targets.map((target) => [target.accountId, [null, null]]));
  if (targets.length === 0) return movement;
  // The two earlier windows are read side by side: their statements queue on the snapshot's
  // connection, which sends each the moment the one before is answered.
  await Promise.all(
    refs.map(async (ref, index) => {
      if (!ref) return;
      const late = { from: ref, to: values.window.to };
      const before = { from: values.window.from, to: ref };
      const earlier = await earlierValues(db, campaign, values, late, before, targets);
      const positive = [...earlier.values()].filter((value) => value > 0);
      if (positive.length === 0) return;
      const floor = Math.min(...positive);
      // The leaders hold every candidate when the floor is not below the lowest of them.
      const known =
        leaders && (leaders.cover === null || floor >= leaders.cover)
          ? leaders.rows.filter((row) => row.value > floor)
          : undefined;
      const counts = new ValueCounts(
        await earlierValueCounts(db, campaign, values, late, before, floor, known),
      );
      for (const target of targets) {
        const value = earlier.get(target.accountId);
        const ranks = movement.get(target.accountId);
        if (ranks && value !== undefined && value > 0) ranks[index] = counts.countAbove(value) + 1;
      }
    }),
  );
  return movement;
}

/**
 * The targets' values on the earlier window: window value minus the late contributions. For
 * mentions, only targets in scope `all` on the earlier window have one (authors in it, or the
 * watchlist).
 */
async function earlierValues(
  db: Db,
  campaign: Campaign,
  values: WindowValues,
  late: Span,
  before: Span,
  targets: Entry[],
): Promise<Map<string, number>> {
  const earlier = new Map<string, number>();
  const ids = targets.map((target) => target.accountId);
  if (values.metric === 'mentions') {
    const names = targets.map((target) => target.mentionKey);
    const [lateOf, member] = await Promise.all([
      spanValuesOfUsernames(db, campaign, late, names),
      membersOf(db, campaign, before, ids),
    ]);
    for (const target of targets) {
      if (!member.has(target.accountId)) continue;
      earlier.set(target.accountId, target.value - (lateOf.get(target.mentionKey) ?? 0));
    }
    return earlier;
  }
  const lateOf = await spanValuesOfAccounts(db, campaign, values.metric, late, ids);
  for (const target of targets)
    earlier.set(target.accountId, target.value - (lateOf.get(target.accountId) ?? 0));
  return earlier;
}
