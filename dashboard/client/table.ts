import type { LeaderboardJson, LeaderboardRowJson } from '../contract.ts';
import { formatNumber } from '../format.ts';
import type { Lang } from '../i18n.ts';
import { safeImageUrl } from '../present.ts';

/** Redraws the rows of the leaderboard; mirrors `Row` in views/campaign-page.tsx. Text only, never HTML. */
export function renderLeaderboard(
  rows: HTMLElement,
  pinned: HTMLElement,
  board: LeaderboardJson,
  lang: Lang,
): void {
  rows.replaceChildren(...board.rows.map((row) => rowElement(row, lang)));
  const home = board.home && !board.rows.some((row) => row.isHome) ? board.home : null;
  pinned.replaceChildren(...(home ? [rowElement(home, lang)] : []));
}

function rowElement(row: LeaderboardRowJson, lang: Lang): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (row.isHome) tr.className = 'home';
  const account = cell('account');
  const image = safeImageUrl(row.profileImageUrl);
  if (image) {
    const img = document.createElement('img');
    Object.assign(img, {
      src: image,
      alt: '',
      width: 24,
      height: 24,
      loading: 'lazy',
      referrerPolicy: 'no-referrer',
    });
    account.append(img);
  }
  account.append(span('name', row.name), ' ', span('username', `@${row.username}`));
  tr.append(cell('num', formatNumber(lang, row.rank)), account, cell('num', formatNumber(lang, row.value)));
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
  element.className = className;
  element.textContent = text;
  return element;
}
