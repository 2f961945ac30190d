import type { FC } from 'hono/jsx';
import type { Network } from '../../src/networks/types.ts';
import { formatMetricValue, formatNumber } from '../../src/present/format.ts';
import type { Lang } from '../../src/present/i18n.ts';
import type { RankedLeaderboardJson, RankedRowJson } from '../api-contract.ts';
import { Avatar } from './avatar.tsx';
import { NetworkIcon } from './network-icon.tsx';
import { accountHref, movementOf, networkLabels } from './present.ts';

/*
 * The leaderboard's rows, written once for two renderers: hono/jsx turns them into HTML on the
 * server (views/campaign-page.tsx), hono/jsx/dom into elements in the browser
 * (client/campaign/board-rows.tsx), since dashboard/server/client-bundle.ts builds every JSX file
 * of the bundle against `hono/jsx/dom`. Hence no runtime import from `hono/jsx` here, only types,
 * and props that are plain data. Both renderers escape text: names are never markup.
 */

/**
 * A row whose rank moved since the page last drew the board flashes (`tr.rose`, `tr.fell` in
 * client/styles.css).
 */
export type RowHighlight = 'rose' | 'fell';

/** `large`: bigger avatars and a `large` class for pages read from across a room. */
export type RowSize = 'regular' | 'large';

export interface LeaderboardRowProps {
  lang: Lang;
  /** the campaign's slug, for the account links */
  slug: string;
  /** the leaderboard metric the row's value counts (its format) */
  metric: string;
  row: RankedRowJson;
  highlight?: RowHighlight | undefined;
  size?: RowSize | undefined;
}

const avatarPixels: Record<RowSize, number> = { regular: 28, large: 56 };

export const LeaderboardRow: FC<LeaderboardRowProps> = ({
  lang,
  slug,
  metric,
  row,
  highlight,
  size = 'regular',
}) => {
  const movement = movementOf(lang, row.rank, row.rankHourAgo);
  const classes = [row.isHome ? 'home' : '', highlight ?? '', size === 'large' ? 'large' : ''].filter(
    Boolean,
  );
  const pixels = avatarPixels[size];
  return (
    <tr class={classes.length > 0 ? classes.join(' ') : undefined}>
      <td class="num">{formatNumber(lang, row.rank)}</td>
      <td class={movement ? `move ${movement.kind}` : 'move'}>
        {movement && (
          <>
            <span aria-hidden="true">{movement.symbol}</span>
            <span class="visually-hidden">{movement.label}</span>
          </>
        )}
      </td>
      <td class="account">
        {row.entity && row.entity.handle === null ? (
          // An entity summing several accounts has no single account page to link to.
          <span>
            <Avatar
              accountId={row.accountId}
              profileImageUrl={null}
              name={row.entity.name}
              username={row.entity.name}
              pixels={pixels}
            />
            <span class="name">{row.entity.name}</span>{' '}
            <span class="username">
              {row.entity.networks.map((network) => networkLabels[network as Network] ?? network).join(' · ')}
            </span>
          </span>
        ) : (
          <a href={accountHref(slug, row.network, row.entity?.handle ?? row.username, lang)}>
            <Avatar
              accountId={row.accountId}
              profileImageUrl={row.profileImageUrl}
              name={row.name}
              username={row.username}
              pixels={pixels}
            />
            <span class="name">{row.name}</span>{' '}
            <span class="username">
              <NetworkIcon network={row.network} />@{row.entity?.handle ?? row.username}
            </span>
          </a>
        )}
      </td>
      <td class="num">{formatMetricValue(lang, metric, row.value)}</td>
    </tr>
  );
};

export interface LeaderboardRowsProps extends Omit<LeaderboardRowProps, 'row' | 'highlight'> {
  rows: readonly RankedRowJson[];
  /** by account id */
  highlights?: ReadonlyMap<string, RowHighlight> | undefined;
}

/** The content of one of the board's bodies: `#rows`, or `#pinned` with `pinnedRows(board)`. */
export const LeaderboardRows: FC<LeaderboardRowsProps> = ({ rows, highlights, ...common }) => (
  <>
    {rows.map((row) => (
      <LeaderboardRow {...common} row={row} highlight={highlights?.get(row.accountId)} />
    ))}
  </>
);

/** The home account, pinned under the board when it ranks below the rows shown. */
export function pinnedRows(board: Pick<RankedLeaderboardJson, 'rows' | 'home'>): RankedRowJson[] {
  return board.home && !board.rows.some((row) => row.isHome) ? [board.home] : [];
}
