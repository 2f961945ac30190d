import type { Db } from '../db/database.ts';
import {
  countOfMentions,
  countOfTotals,
  homeOfMentions,
  homeOfTotals,
  type Leaders,
  rankedBoard,
  topOfMentions,
  topOfTotals,
  type WindowValues,
} from '../db/leaderboard-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { type Board, rankInOrder } from './board.ts';

/**
 * Boards of an activity metric (posts, reposts, engagement, impressions, mentions) over scope `all`,
 * ranked in SQL. Three ways, by the window's strategy (src/rank/windows.ts):
 *
 * - the campaign window on an account metric (`totals`): the top rows walk the (campaign_id, metric
 *   desc) index, their ranks follow from their order (every higher value comes before), the home
 *   account's rank is an index range count, and the number of ranked accounts is kept in
 *   `rank_counts`;
 * - the campaign window on mentions: the same walk down the (campaign_id, mentions desc, username)
 *   index, keeping the mentioned usernames that name an account of scope `all` (an author of the
 *   window, or the watchlist); the number ranked is kept in `rank_counts`;
 * - any other window (`difference`, `sum`): every account's value, ranked by `rank()`.
 *
 * Why the mentions count is kept at write time (migrations/0008_rank_mentions.ts) rather than
 * counted here: counting joins every mentioned username with `accounts` — hundreds of milliseconds
 * at 200,000 accounts, however the join is planned, on every read. Kept, it costs the writes that
 * can move it (a username's mentions leaving or reaching 0, an account starting or stopping to post
 * in the window, the watchlist, a rename or a username shared by two accounts), each recomputing
 * only the usernames it touched, at commit and under the campaign's lock, so it stays exact with
 * concurrent writers.
 */
export async function campaignBoard(
  db: Db,
  campaign: Campaign,
  values: WindowValues,
  limit: number,
): Promise<Board & { leaders?: Leaders }> {
  if (values.plan.strategy !== 'totals') return rankedBoard(db, campaign, values, limit);
  const metric = values.metric;
  const [top, home, total] = await Promise.all(
    metric === 'mentions'
      ? [
          topOfMentions(db, campaign, limit, values.network),
          homeOfMentions(db, campaign, values.network),
          countOfMentions(db, campaign, values.network),
        ]
      : [
          topOfTotals(db, campaign, metric, limit, values.network),
          homeOfTotals(db, campaign, metric, values.network),
          countOfTotals(db, campaign, metric, values.network),
        ],
  );
  return { total, rows: rankInOrder(top), home: home ? { ...home.entry, rank: home.above + 1 } : null };
}
