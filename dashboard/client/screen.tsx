import { render } from 'hono/jsx/dom';
import { formatNumber } from '../../src/present/format.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import type { CampaignOverviewJson, RankedLeaderboardJson, ScreenPageData } from '../api-contract.ts';
import {
  HomeLine,
  networksOf,
  panelsFor,
  panelTitle,
  ScreenBoards,
  type ScreenPanel,
  ScreenWall,
  screenRows,
} from '../views/screen-panels.tsx';
import { screenText } from '../views/screen-text.ts';
import { readJson, setText } from './fetch.ts';
import { followCampaign, type LiveState, serialized } from './live.ts';

/**
 * The big screen (views/screen-page.tsx): panels rotate every `rotateMs`, each drawn into the
 * hidden one of two stage slots and then cross-faded in, so the page keeps a fixed set of elements
 * however long it runs. The event stream (client/live.ts, reconnecting by itself) re-reads the
 * home line, the totals and the panel on screen. Rotations and updates take turns, one at a time.
 */
export function startScreen(data: ScreenPageData): void {
  const { lang, apiBase } = data;
  const t = dictionaries[lang];
  const s = screenText[lang];
  const element = (id: string) => {
    const found = document.getElementById(id);
    if (!found) throw new Error(`the screen has no #${id}`);
    return found;
  };
  const slots = [element('screen-slot-a'), element('screen-slot-b')] as const;
  const home = element('screen-home');
  const totals = element('screen-totals');
  const panelList = element('screen-panel-list');
  const status = element('live-status');

  let board = data.leaderboard;
  let overview = data.overview;
  let panels = panelsFor(networksOf(board));
  let shown = 0;
  let visibleSlot = 0;

  const readBoard = async (metric: string, network?: string): Promise<RankedLeaderboardJson | null> => {
    const only = network ? `&network=${encodeURIComponent(network)}` : '';
    const read = await readJson<RankedLeaderboardJson>(
      `${apiBase}/leaderboard?metric=${metric}&scope=all&limit=${screenRows}${only}`,
    );
    return read.ok ? read.body : null;
  };

  const drawPanel = async (panel: ScreenPanel, slot: HTMLElement) => {
    const title = panelTitle(lang, panel);
    if (panel.kind === 'wall') {
      render(<ScreenWall lang={lang} posts={overview.topPosts} />, slot);
      return;
    }
    const boards =
      panel.kind === 'growth'
        ? await Promise.all(
            (['followers', 'follower_growth'] as const).map(async (metric) => ({
              metric,
              board: await readBoard(metric),
            })),
          )
        : [
            {
              metric: panel.metric,
              board:
                panel.metric === 'posts' && !panel.network
                  ? board
                  : await readBoard(panel.metric, panel.network),
            },
          ];
    render(<ScreenBoards lang={lang} slug={data.slug} title={title} boards={boards} />, slot);
  };

  const drawPanelList = () => {
    render(
      panels.map((panel, index) => (
        <li class={index === shown ? 'active' : undefined}>{panelTitle(lang, panel)}</li>
      )),
      panelList,
    );
  };

  // One task at a time: a rotation never draws into a slot an update is drawing into.
  let turn: Promise<void> = Promise.resolve();
  const exclusive = (task: () => Promise<void>) => {
    turn = turn.then(task).catch((error: unknown) => console.error('the big screen could not update', error));
    return turn;
  };

  const drawHome = () => {
    render(<HomeLine lang={lang} homeUsername={data.homeUsername} board={board} overview={overview} />, home);
  };

  // The home line first, from the leaderboard alone (cached by the dashboard, the quickest read):
  // a new post shows at once; then the overview's totals, then the panel on screen, in its turn.
  const refresh = serialized(async () => {
    const posts = await readBoard('posts');
    if (posts) board = posts;
    drawHome();
    const read = await readJson<CampaignOverviewJson>(`${apiBase}/overview?top=6`);
    if (read.ok) overview = read.body;
    drawHome();
    setText(
      totals,
      s.campaignTotals(formatNumber(lang, overview.posts), formatNumber(lang, overview.uniqueAuthors)),
    );
    await exclusive(async () => {
      const current = panelsFor(networksOf(board));
      if (current.length !== panels.length) {
        panels = current;
        shown = Math.min(shown, panels.length - 1);
        drawPanelList();
      }
      const panel = panels[shown];
      const slot = slots[visibleSlot];
      if (panel && slot) await drawPanel(panel, slot);
    });
  });

  const rotate = () =>
    exclusive(async () => {
      const next = (shown + 1) % panels.length;
      const panel = panels[next];
      const from = slots[visibleSlot];
      const to = slots[1 - visibleSlot];
      if (!panel || !from || !to) return;
      await drawPanel(panel, to);
      to.classList.add('active');
      to.removeAttribute('aria-hidden');
      to.dataset.panel = String(next);
      from.classList.remove('active');
      from.setAttribute('aria-hidden', 'true');
      visibleSlot = 1 - visibleSlot;
      shown = next;
      panelList.querySelectorAll('li').forEach((item, index) => {
        item.classList.toggle('active', index === shown);
      });
    });
  setInterval(() => void rotate(), data.rotateMs);

  const labels: Record<LiveState, string> = {
    connecting: t.connecting,
    live: t.live,
    reconnecting: t.reconnecting,
    polling: t.polling,
  };
  followCampaign(data.eventsUrl, data.refreshMs, {
    refresh: () =>
      void refresh().catch((error: unknown) => console.error('the big screen could not update', error)),
    state: (live) => {
      status.setAttribute('data-state', live);
      setText(status, labels[live]);
    },
  });
}
