import type { CampaignPageData } from '../api-contract.ts';
import { campaignCharts } from './campaign/campaign-charts.ts';
import { leaderboard } from './campaign/live-board.ts';
import { followUpdates } from './campaign/live-updates.ts';
import { pageState } from './campaign/page-state.ts';
import { followSwitches } from './campaign/switches.ts';

/**
 * The live leaderboard page: starts from the JSON the server embedded, then follows the campaign's
 * event stream and re-reads the API on each update (the board at once, the charts at their own
 * pace). Metric and scope switch without a reload. Each part is a module of client/campaign/.
 */
export function startCampaignPage(data: CampaignPageData): void {
  const state = pageState(data);
  const board = leaderboard(state);
  const charts = campaignCharts(state);
  followSwitches(state, {
    switched(selectionChanged) {
      charts.setRankTitle();
      void board.refresh();
      if (selectionChanged) void charts.drawRank();
    },
    peersChanged: () => void charts.drawFollowers(),
  });
  charts.start();
  followUpdates(state, () => {
    void board.refresh();
    charts.soon();
  });
}
