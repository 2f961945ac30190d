import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import { boardSubjects } from '../db/leaderboard-repository.ts';
import type { Campaign, Network } from '../db/schema.ts';
import type { Board, EntityRef, Movement, RankedEntry } from './board.ts';
import { campaignBoard } from './campaign-boards.ts';
import {
  type ActivityMetric,
  isFollowerMetric,
  type Metric,
  type NetworkChoice,
  type Scope,
} from './metrics.ts';
import { movementOf } from './movement.ts';
import { smallBoard, smallBoardOnShow } from './small-boards.ts';
import { movementEnds, planFor, type Span } from './windows.ts';

export { type Metric, metrics, type NetworkChoice, type Scope } from './metrics.ts';

export interface LeaderboardQuery {
  metric: Metric;
  scope: Scope;
  /** the accounts of one network, or of every network ranked together (default) */
  network?: NetworkChoice;
  /** window [from, to); defaults to the campaign window */
  from?: Date;
  to?: Date;
  limit?: number;
  /**
   * When the board is read (default: `to`). Movement looks back from min(to, asOf): while the
   * window is still open, "an hour ago" means an hour before now, not before the window's end.
   */
  asOf?: Date;
}

export interface LeaderboardRow {
  rank: number;
  accountId: string;
  network: Network;
  username: string;
  name: string;
  profileImageUrl: string | null;
  value: number;
  isHome: boolean;
  /** the entity the row stands for (watchlist scope), null for an account's row */
  entity: EntityRef | null;
  /** rank on the window [from, min(to, asOf) − 1 h); null when not ranked then */
  rankHourAgo: number | null;
  /** rank on the window [from, start of the day of min(to, asOf)); null when not ranked then */
  rankDayStart: number | null;
}

export interface Leaderboard {
  metric: Metric;
  scope: Scope;
  network: NetworkChoice;
  from: Date;
  to: Date;
  /** accounts ranked */
  total: number;
  rows: LeaderboardRow[];
  /** the home entity's (best-ranked) account's row, also when it is outside `rows` (pinned on screen) */
  home: LeaderboardRow | null;
  /** the ends of the windows that `rankHourAgo` and `rankDayStart` rank (null: empty window) */
  movement: { hourAgo: Date | null; dayStart: Date | null };
  /** end of the campaign's last successful collection run */
  lastCollectedAt: Date | null;
}

/**
 * Ranks the campaign's accounts on a metric (definitions in docs/METRICS.md). Standard competition
 * ranking: equal values share a rank (1, 2, 2, 4); display order breaks ties by username, then id.
 * Accounts are ranked when they have a value: above zero for the activity metrics (posts, reposts,
 * engagement, impressions, mentions), a reading for the follower metrics (any value for the growth,
 * a starting point above zero for the %).
 *
 * Two kinds of board: the watchlist and the follower metrics are small enough to rank in JavaScript
 * (src/rank/small-boards.ts); the activity metrics over every account are ranked in SQL
 * (src/rank/campaign-boards.ts), and the movement of their rows is read apart (src/rank/movement.ts).
 *
 * Every read of one board comes from one snapshot of the database (a repeatable-read transaction):
 * rows, ranks, total and movement agree with each other while collectors write.
 */
export async function leaderboard(db: Db, campaign: Campaign, query: LeaderboardQuery): Promise<Leaderboard> {
  const window = { from: query.from ?? campaign.window_start, to: query.to ?? campaign.window_end };
  const limit = query.limit ?? 50;
  const network = query.network ?? 'all';
  const ends = movementEnds(campaign, window, query.asOf ?? window.to);
  const refs = [ends.hourAgo, ends.dayStart];
  const activity = isFollowerMetric(query.metric) ? null : query.metric;
  // Small boards (followers, the watchlist) are ranked here from a few hundred accounts at most.
  const small = activity === null || query.scope === 'watchlist';
  return inSnapshot(
    db,
    async (trx) => {
      // The subjects' statement and the board's first go out together: node-postgres sends the
      // second the moment the first is answered, with no wait for this code in between.
      const subjects = boardSubjects(trx, campaign);
      const [{ homeIds, lastCollectedAt }, { board, movement }] = await Promise.all([
        subjects,
        small
          ? smallBoard(trx, campaign, { ...query, network }, window, refs).then(async (read) =>
              smallBoardOnShow(read, (await subjects).homeIds, limit),
            )
          : campaignBoardWithMovement(trx, campaign, { metric: activity, window, network }, limit, refs),
      ]);
      const toRow = (entry: RankedEntry): LeaderboardRow => {
        const [rankHourAgo, rankDayStart] = movement.get(entry.accountId) ?? [null, null];
        return {
          rank: entry.rank,
          accountId: entry.accountId,
          network: entry.network,
          username: entry.username,
          name: entry.name,
          profileImageUrl: entry.profileImageUrl,
          value: entry.value,
          isHome: homeIds.has(entry.accountId),
          entity: entry.entity ?? null,
          rankHourAgo,
          rankDayStart,
        };
      };
      return {
        metric: query.metric,
        scope: query.scope,
        network,
        from: window.from,
        to: window.to,
        total: board.total,
        rows: board.rows.map(toRow),
        home: board.home ? toRow(board.home) : null,
        movement: ends,
        lastCollectedAt,
      };
    },
    // Their plans never reach JIT's threshold.
    { cheapPlans: small },
  );
}

async function campaignBoardWithMovement(
  trx: Db,
  campaign: Campaign,
  query: { metric: ActivityMetric; window: Span; network: NetworkChoice },
  limit: number,
  refs: Array<Date | null>,
): Promise<{ board: Board; movement: Movement }> {
  const values = { ...query, plan: planFor(campaign, query.window) };
  const board = await campaignBoard(trx, campaign, values, limit);
  const targets = [...board.rows, ...(board.home ? [board.home] : [])];
  return { board, movement: await movementOf(trx, campaign, values, targets, refs, board.leaders) };
}
