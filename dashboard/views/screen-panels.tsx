import type { FC } from 'hono/jsx';
import { formatDelta, formatNumber } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { CampaignOverviewJson, RankedLeaderboardJson, TopPostJson } from '../api-contract.ts';
import { Avatar } from './avatar.tsx';
import { LeaderboardRows } from './leaderboard-table.tsx';
import { NetworkIcon } from './network-icon.tsx';
import { movementOf } from './present.ts';
import { networkNames, screenText } from './screen-text.ts';

/*
 * The big screen's parts, rendered by hono/jsx on the server (first paint) and by hono/jsx/dom in
 * the browser (each rotation and update), like views/leaderboard-table.tsx: type imports only from
 * hono/jsx, plain-data props, text in text nodes.
 */

/** Rows per leaderboard: as many as 1080 pixels hold at a size read from five metres. */
export const screenRows = 10;

/** One panel of the rotation; `network` narrows a board to one network (per-network panels). */
export type ScreenPanel =
  | { kind: 'board'; metric: 'posts' | 'engagement'; network?: string }
  | { kind: 'growth' }
  | { kind: 'wall' };

/** The rotation: the fixed panels, then one per network when the campaign's posts come from several. */
export function panelsFor(networks: readonly string[]): ScreenPanel[] {
  const fixed: ScreenPanel[] = [
    { kind: 'board', metric: 'posts' },
    { kind: 'board', metric: 'engagement' },
    { kind: 'growth' },
    { kind: 'wall' },
  ];
  if (networks.length < 2) return fixed;
  return [...fixed, ...networks.map((network): ScreenPanel => ({ kind: 'board', metric: 'posts', network }))];
}

export function panelTitle(lang: Lang, panel: ScreenPanel): string {
  const s = screenText[lang];
  if (panel.kind === 'growth') return s.growth;
  if (panel.kind === 'wall') return dictionaries[lang].topPosts;
  if (panel.network) return s.onNetwork(networkNames[panel.network] ?? panel.network);
  return panel.metric === 'posts' ? s.byPosts : s.byEngagement;
}

/**
 * The networks the campaign's rows come from, in order of first appearance. Rows name their
 * network once the multi-network API does (docs/ARCHITECTURE.md, migration 0013); before, every
 * row is X's.
 */
export function networksOf(board: Pick<RankedLeaderboardJson, 'rows'>): string[] {
  const seen = new Set<string>();
  for (const row of board.rows) {
    const network = (row as { network?: unknown }).network;
    seen.add(typeof network === 'string' ? network : 'x');
  }
  return [...seen];
}

export interface ScreenBoardsProps {
  lang: Lang;
  slug: string;
  title: string;
  boards: { metric: string; board: RankedLeaderboardJson | null }[];
}

/** One or two leaderboards side by side, full height, the home row highlighted. */
export const ScreenBoards: FC<ScreenBoardsProps> = ({ lang, slug, title, boards }) => {
  const t = dictionaries[lang];
  return (
    <>
      <h2 class="screen-panel-title">{title}</h2>
      <div class="screen-boards">
        {boards.map(({ metric, board }) => (
          <table class="screen-board">
            <thead>
              <tr>
                <th class="num">{t.rank}</th>
                <th class="move">
                  <span class="visually-hidden">{t.movement}</span>
                </th>
                <th>{t.account}</th>
                <th class="num">{t.metricTitles[metric] ?? metric}</th>
              </tr>
            </thead>
            <tbody>
              {board && board.rows.length > 0 ? (
                <LeaderboardRows lang={lang} slug={slug} metric={metric} rows={board.rows} />
              ) : (
                <tr>
                  <td colspan={4} class="muted">
                    {screenText[lang].nothingRanked}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        ))}
      </div>
    </>
  );
};

/** The top posts as a wall of cards; the texts are their authors' (text nodes, never HTML). */
export const ScreenWall: FC<{ lang: Lang; posts: readonly TopPostJson[] }> = ({ lang, posts }) => {
  const t = dictionaries[lang];
  const n = (value: number) => formatNumber(lang, value);
  return (
    <>
      <h2 class="screen-panel-title">{t.topPosts}</h2>
      {posts.length === 0 ? (
        <p class="muted">{screenText[lang].noPosts}</p>
      ) : (
        <ol class="screen-wall">
          {posts.slice(0, 6).map((post) => (
            <li class="screen-card">
              <p class="screen-card-author">
                <span class="name">{post.name}</span>{' '}
                <span class="username">
                  <NetworkIcon network={post.network} />@{post.username}
                </span>
              </p>
              <p class="screen-card-text">{post.text}</p>
              <p class="screen-card-meta">
                {`${n(post.likes)} ${t.likes} · ${n(post.reposts)} ${t.reposts} · ${n(post.replies)} ${t.replies}`}
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
};

export interface HomeLineProps {
  lang: Lang;
  homeUsername: string;
  /** the leaderboard by posts: the home row, its rank and movement */
  board: RankedLeaderboardJson;
  overview: CampaignOverviewJson;
}

/**
 * The home account's line: who, rank and movement by posts, followers and growth, posts. The posts
 * are the leaderboard's (the same count as the overview's, and read first on each update).
 */
export const HomeLine: FC<HomeLineProps> = ({ lang, homeUsername, board, overview }) => {
  const t = dictionaries[lang];
  const s = screenText[lang];
  const home = board.home;
  const movement = home ? movementOf(lang, home.rank, home.rankHourAgo) : null;
  const { followers, followerGrowth } = overview.headline;
  return (
    <>
      {home ? (
        <Avatar
          class="screen-home-avatar"
          accountId={home.accountId}
          profileImageUrl={home.profileImageUrl}
          name={home.name}
          username={home.username}
          pixels={96}
        />
      ) : (
        <span class="avatar-initials screen-home-avatar" aria-hidden="true" />
      )}
      <span class="screen-home-main">
        <span class="screen-home-who">
          {home && <span class="name">{home.name}</span>} <span class="username">@{homeUsername}</span>
        </span>
        <span class="screen-home-rank">
          {home
            ? s.rankOf(
                formatNumber(lang, home.rank),
                formatNumber(lang, board.total),
                t.metrics.posts ?? 'posts',
              )
            : s.notRanked}
          {movement && (
            <span class={`move ${movement.kind}`}>
              {' '}
              <span aria-hidden="true">{movement.symbol}</span>
              <span class="visually-hidden">{movement.label}</span>
            </span>
          )}
        </span>
      </span>
      <span class="screen-home-figures">
        <span id="screen-home-posts">{s.posts(formatNumber(lang, home?.value ?? overview.home.posts))}</span>
        {followers !== null && <span>{s.followers(formatNumber(lang, followers))}</span>}
        {followerGrowth !== null && <span>{s.growthDuring(formatDelta(lang, followerGrowth))}</span>}
      </span>
    </>
  );
};
