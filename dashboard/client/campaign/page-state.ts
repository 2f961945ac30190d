import { type Dictionary, dictionaries } from '../../../src/present/i18n.ts';
import type { CampaignPageData, SeriesJson } from '../../api-contract.ts';

/**
 * What the live page shows now, shared by its parts (client/campaign/*.ts): the metric, scope and
 * network chosen, what the board and the charts last read. It starts from the JSON the server embedded.
 */
export interface PageState {
  readonly data: CampaignPageData;
  readonly t: Dictionary;
  metric: string;
  scope: string;
  network: string;
  lastCollectedAt: string | null;
  /**
   * Ranks on the board as last drawn, by account id: rows whose rank moved since then flash.
   * Undefined after a switch, so that a flash compares like with like.
   */
  ranks: Map<string, number> | undefined;
  /** the home account's followers per hour, as last read */
  homeSeries: SeriesJson;
}

export function pageState(data: CampaignPageData): PageState {
  return {
    data,
    t: dictionaries[data.lang],
    metric: data.metric,
    scope: data.scope,
    network: data.network,
    lastCollectedAt: data.lastCollectedAt,
    ranks: new Map(data.leaderboard.rows.map((row) => [row.accountId, row.rank])),
    homeSeries: data.series,
  };
}

/** Which board is asked for: an answer read for another selection is stale. */
export const selectionOf = (state: PageState): string => `${state.metric}/${state.scope}/${state.network}`;

export const metricName = (state: PageState): string => state.t.metrics[state.metric] ?? state.metric;

export const byId = (id: string): HTMLElement | null => document.getElementById(id);
