import { formatMetricValue, formatNumber } from '../../src/present/format.ts';
import type { Lang } from '../../src/present/i18n.ts';
import type { RankedLeaderboardJson, RankedRowJson } from '../api-contract.ts';
import { accountHref, movementOf, safeImageUrl } from '../views/present.ts';

export interface TableContext {
  lang: Lang;
  slug: string;
  metric: string;
}

/**
 * Redraws the rows of the leaderboard; mirrors `Row` in views/campaign-page.tsx. Text only, never
 * HTML. Rows whose rank changed since the last redraw flash briefly (`rose`, `fell`).
 */
export function renderLeaderboard(
  rows: HTMLElement,
  pinned: HTMLElement,
  board: RankedLeaderboardJson,
  context: TableContext,
  previousRanks: Map<string, number> | undefined,
): Map<string, number> {
  const ranks = new Map<string, number>();
  const build = (row: RankedRowJson) => {
    ranks.set(row.accountId, row.rank);
    const before = previousRanks?.get(row.accountId);
    const change =
      before === undefined || before === row.rank ? undefined : before > row.rank ? 'rose' : 'fell';
    return rowElement(row, context, change);
  };
  rows.replaceChildren(...board.rows.map(build));
  const home = board.home && !board.rows.some((row) => row.isHome) ? board.home : null;
  pinned.replaceChildren(...(home ? [build(home)] : []));
  return ranks;
}

function rowElement(row: RankedRowJson, context: TableContext, change: 'rose' | 'fell' | undefined) {
  const { lang } = context;
  const tr = document.createElement('tr');
  const classes = [row.isHome ? 'home' : '', change ?? ''].filter(Boolean);
  if (classes.length > 0) tr.className = classes.join(' ');

  const movement = movementOf(lang, row.rank, row.rankHourAgo);
  const move = cell(movement ? `move ${movement.kind}` : 'move');
  if (movement) {
    const symbol = span('', movement.symbol);
    symbol.setAttribute('aria-hidden', 'true');
    move.append(symbol, span('visually-hidden', movement.label));
  }

  const account = cell('account');
  const link = document.createElement('a');
  link.href = accountHref(context.slug, row.username, lang);
  const image = safeImageUrl(row.profileImageUrl);
  if (image) {
    const img = document.createElement('img');
    Object.assign(img, {
      src: image,
      alt: '',
      width: 28,
      height: 28,
      loading: 'lazy',
      referrerPolicy: 'no-referrer',
    });
    link.append(img);
  } else {
    const blank = span('avatar-blank', '');
    blank.setAttribute('aria-hidden', 'true');
    link.append(blank);
  }
  link.append(span('name', row.name), ' ', span('username', `@${row.username}`));
  account.append(link);

  tr.append(
    cell('num', formatNumber(lang, row.rank)),
    move,
    account,
    cell('num', formatMetricValue(lang, context.metric, row.value)),
  );
  return tr;
}

function cell(className: string, text?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.className = className;
  if (text !== undefined) td.textContent = text;
  return td;
}

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement('span');
  if (className) element.className = className;
  element.textContent = text;
  return element;
}
