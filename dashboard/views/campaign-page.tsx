import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { Campaign } from '../../src/db/schema.ts';
import type { LeaderboardRowJson, PageData } from '../contract.ts';
import { formatNumber, formatTime, formatWindow } from '../format.ts';
import { dictionaries, type Lang } from '../i18n.ts';
import { followersText, headlineText, safeImageUrl } from '../present.ts';

/**
 * The live leaderboard. The browser code (client/main.ts) redraws the same elements, found by id,
 * from the JSON API; keep the two in step.
 */
export const CampaignPage: FC<{ campaign: Campaign; data: PageData }> = ({ campaign, data }) => {
  const { lang, leaderboard: board, series } = data;
  const t = dictionaries[lang];
  const pinned = board.home && !board.rows.some((row) => row.isHome) ? board.home : null;
  return (
    <>
      <h1>{campaign.name}</h1>
      <p class="muted">
        {t.window}: {formatWindow(lang, campaign.timezone, campaign.window_start, campaign.window_end)}
      </p>
      <section class="headline">
        <p id="headline" class="headline-rank">
          {headlineText(lang, board, data.homeUsername)}
        </p>
        <p id="followers" class="headline-followers">
          {followersText(lang, series)}
        </p>
        <p id="updated" class="muted" aria-live="polite">
          {t.updatedAt(formatTime(lang, campaign.timezone, new Date(board.asOf)))}
        </p>
      </section>
      <div class="panels">
        <section class="board">
          <table>
            <caption>{t.leaderboardCaption(board.rows.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.rank}</th>
                <th scope="col">{t.account}</th>
                <th scope="col" class="num">
                  {t.metricTitles[board.metric] ?? board.metric}
                </th>
              </tr>
            </thead>
            <tbody id="rows">
              {board.rows.map((row) => (
                <Row lang={lang} row={row} />
              ))}
            </tbody>
            <tbody id="pinned" class="pinned">
              {pinned && <Row lang={lang} row={pinned} />}
            </tbody>
          </table>
        </section>
        <section class="chart">
          <h2>{t.followerCurve(data.homeUsername)}</h2>
          <div class="chart-box">
            <canvas id="followers-chart" aria-label={t.followerCurve(data.homeUsername)} role="img" />
          </div>
        </section>
      </div>
      <script type="application/json" id="initial-data">
        {raw(embedJson(data))}
      </script>
    </>
  );
};

export const Row: FC<{ lang: Lang; row: LeaderboardRowJson }> = ({ lang, row }) => {
  const image = safeImageUrl(row.profileImageUrl);
  return (
    <tr class={row.isHome ? 'home' : undefined}>
      <td class="num">{formatNumber(lang, row.rank)}</td>
      <td class="account">
        {image && (
          <img src={image} alt="" width={24} height={24} loading="lazy" referrerpolicy="no-referrer" />
        )}
        <span class="name">{row.name}</span> <span class="username">@{row.username}</span>
      </td>
      <td class="num">{formatNumber(lang, row.value)}</td>
    </tr>
  );
};

/**
 * JSON inside <script>: the HTML parser only looks for `</script` and `<!--`, so escaping every `<`
 * keeps names and post texts from closing the element. U+2028/2029 are escaped for older parsers.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
