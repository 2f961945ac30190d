import type { Db } from '../db/database.ts';
import { followedNetworks } from '../db/overview-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { type Coverage, coverage } from '../rank/coverage.ts';
import { lastCollectedAt } from '../rank/freshness.ts';
import { type RankHistoryPoint, rankHistory } from '../rank/history.ts';
import { type Leaderboard, leaderboard } from '../rank/leaderboard.ts';
import type { Metric } from '../rank/metrics.ts';
import { type Overview, overview } from '../rank/overview.ts';
import { type AccountFollowers, accountFollowers } from './datasets.ts';

/**
 * What the PDF report shows, read through src/rank as the ranking API reads it (so each figure is
 * the API's own): the overview and its headline, follower growth of the home account and its
 * peers, the home account's rank history, the leaderboards, the coverage record.
 */

/** The leaderboards of the report, in this order. */
export const reportBoards = ['posts', 'engagement', 'mentions'] as const satisfies readonly Metric[];

/** Rows of each leaderboard and of the share-of-voice chart; the home row is added when outside. */
export const reportTop = 10;

export interface ReportContent {
  campaign: Campaign;
  from: Date;
  to: Date;
  asOf: Date;
  overview: Overview;
  followers: AccountFollowers[];
  rankHistory: RankHistoryPoint[];
  /**
   * each metric of `reportBoards` across networks, then, on a campaign of several networks, the
   * board by posts of each network (each board says its network)
   */
  boards: Leaderboard[];
  coverage: Coverage;
  lastCollectedAt: Date | null;
}

export async function reportContent(
  db: Db,
  campaign: Campaign,
  options: { from: Date; to: Date; asOf: Date },
): Promise<ReportContent> {
  const { from, to, asOf } = options;
  const window = { from, to };
  const networks = await followedNetworks(db, campaign);
  const wanted = [
    ...reportBoards.map((metric) => ({ metric, network: 'all' as const })),
    ...(networks.length > 1 ? networks.map((network) => ({ metric: 'posts' as const, network })) : []),
  ];
  const [view, followers, history, boards, record, collectedAt] = await Promise.all([
    overview(db, campaign, { ...window, asOf, topPosts: reportTop }),
    accountFollowers(db, campaign, { ...window, interval: 'hour' }),
    rankHistory(db, campaign, { metric: 'posts', scope: 'all', interval: 'hour', ...window, asOf }),
    Promise.all(
      wanted.map(({ metric, network }) =>
        leaderboard(db, campaign, { metric, scope: 'all', network, ...window, limit: reportTop, asOf }),
      ),
    ),
    coverage(db, campaign, window),
    lastCollectedAt(db, campaign.id),
  ]);
  return {
    campaign,
    from,
    to,
    asOf,
    overview: view,
    followers,
    rankHistory: history,
    boards,
    coverage: record,
    lastCollectedAt: collectedAt,
  };
}
