import { byId, type PageState, selectionOf } from './page-state.ts';

export interface SwitchHandlers {
  /** the metric or scope changed (`selectionChanged`), or the same link was clicked again */
  switched(selectionChanged: boolean): void;
  peersChanged(): void;
}

/**
 * The metric and scope switches are links (they work without the script); with it, a click
 * switches in place: the state, the links' targets, the address and the language link follow.
 */
export function followSwitches(state: PageState, handlers: SwitchHandlers): void {
  const { lang } = state.data;

  const update = () => {
    const { metric, scope } = state;
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#metric-switch a[data-metric]')) {
      if (link.dataset.metric === metric) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
      link.search = `?${new URLSearchParams({ metric: link.dataset.metric ?? '', scope, lang })}`;
    }
    for (const link of document.querySelectorAll<HTMLAnchorElement>('#scope-switch a[data-scope]')) {
      if (link.dataset.scope === scope) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
      link.search = `?${new URLSearchParams({ metric, scope: link.dataset.scope ?? '', lang })}`;
    }
    history.replaceState(null, '', `?${new URLSearchParams({ metric, scope, lang })}`);
    const other = byId('lang-switch');
    if (other instanceof HTMLAnchorElement) {
      other.search = `?${new URLSearchParams({ metric, scope, lang: lang === 'fr' ? 'en' : 'fr' })}`;
    }
  };

  const onClick = (event: MouseEvent) => {
    const link = (event.target as HTMLElement).closest<HTMLAnchorElement>('a[data-metric], a[data-scope]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const before = selectionOf(state);
    state.metric = link.dataset.metric ?? state.metric;
    state.scope = link.dataset.scope ?? state.scope;
    // Movement flashes compare like with like.
    state.ranks = undefined;
    update();
    handlers.switched(selectionOf(state) !== before);
  };
  byId('metric-switch')?.addEventListener('click', onClick);
  byId('scope-switch')?.addEventListener('click', onClick);
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="peer"]')) {
    input.addEventListener('change', () => handlers.peersChanged());
  }
}
