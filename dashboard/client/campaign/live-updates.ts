import { setText } from '../fetch.ts';
import { followCampaign, type LiveState } from '../live.ts';
import { byId, type PageState } from './page-state.ts';

/**
 * Follows the campaign's event stream (client/live.ts) for the live page: `refresh` runs on every
 * update, except in a hidden tab, which catches up once when shown again; the status line says
 * whether the page is live, reconnecting or polling.
 */
export function followUpdates(state: PageState, refresh: () => void): void {
  const { t, data } = state;
  let missed = false;
  const onUpdate = (at: string | null) => {
    if (at) state.lastCollectedAt = at;
    // A hidden tab does not need fresh numbers.
    if (document.visibilityState === 'hidden') {
      missed = true;
      return;
    }
    refresh();
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && missed) {
      missed = false;
      onUpdate(null);
    }
  });

  const status = byId('live-status');
  const labels: Record<LiveState, string> = {
    connecting: t.connecting,
    live: t.live,
    reconnecting: t.reconnecting,
    polling: t.polling,
  };
  const showState = (live: LiveState) => {
    status?.setAttribute('data-state', live);
    setText(status, labels[live]);
  };
  followCampaign(data.eventsUrl, data.refreshMs, { refresh: onUpdate, state: showState });
}
