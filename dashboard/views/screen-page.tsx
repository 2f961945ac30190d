import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import { formatNumber } from '../../src/present/format.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import type { ScreenPageData } from '../api-contract.ts';
import { embedJson } from './campaign-page.tsx';
import { HomeLine, networksOf, panelsFor, panelTitle, ScreenBoards } from './screen-panels.tsx';
import { screenText } from './screen-text.ts';

/**
 * The big screen: made for a 1920×1080 (or 4K) television across a room. Everything is sized in
 * viewport units (dashboard/client/styles.css, `.screen`), so nothing scrolls and a 4K screen shows the same
 * page twice as sharp. Two stage slots take turns: the next panel is drawn into the hidden one, then
 * the two cross-fade (dashboard/client/screen.tsx), so no move shifts the layout.
 */
export const ScreenPage: FC<{ data: ScreenPageData }> = ({ data }) => {
  const { lang } = data;
  const t = dictionaries[lang];
  const s = screenText[lang];
  const panels = panelsFor(networksOf(data.leaderboard));
  const first = panels[0];
  return (
    <div class="screen" id="screen">
      <header class="screen-top">
        <h1 class="screen-name">{data.name}</h1>
        <p class="screen-totals" id="screen-totals">
          {s.campaignTotals(
            formatNumber(lang, data.overview.posts),
            formatNumber(lang, data.overview.uniqueAuthors),
          )}
        </p>
        <p class="live-status" id="live-status" data-state="connecting" role="status">
          {t.connecting}
        </p>
      </header>
      <section class="screen-home" id="screen-home" aria-live="polite">
        <HomeLine
          lang={lang}
          homeUsername={data.homeUsername}
          board={data.leaderboard}
          overview={data.overview}
        />
      </section>
      <div class="screen-stage" id="screen-stage">
        <section class="screen-slot active" id="screen-slot-a" data-panel="0">
          {first && (
            <ScreenBoards
              lang={lang}
              slug={data.slug}
              title={panelTitle(lang, first)}
              boards={[{ metric: 'posts', board: data.leaderboard }]}
            />
          )}
        </section>
        <section class="screen-slot" id="screen-slot-b" aria-hidden="true" />
      </div>
      <nav class="screen-panels" aria-label={s.panels}>
        <ol id="screen-panel-list">
          {panels.map((panel, index) => (
            <li class={index === 0 ? 'active' : undefined}>{panelTitle(lang, panel)}</li>
          ))}
        </ol>
      </nav>
      <script type="application/json" id="screen-data">
        {raw(embedJson(data))}
      </script>
    </div>
  );
};
