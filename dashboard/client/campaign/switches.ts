import { byId, type PageState, selectionOf } from './page-state.ts';

export interface SwitchHandlers {
  /** the metric, scope or network changed (`selectionChanged`), or the same link was clicked again */
  switched(selectionChanged: boolean): void;
  peersChanged(): void;
}

/**
 * The metric, scope and network switches are links (they work without the script); with it, a click
 * switches in place: the state, the links' targets, the address and the language link follow.
 */
export function followSwitches(state: PageState, handlers: SwitchHandlers): void {
  const { lang } = state.data;

  const update = () => {
    const { metric, scope, network } = state;
    // Every network (the default) is left out of the address, as the server writes it.
    const query = (change: Partial<Record<'metric' | 'scope' | 'network' | 'lang', string>>) => {
      const params = new URLSearchParams({ metric, scope, network, lang, ...change });
      if (params.get('network') === 'all') params.delete('network');
      return `?${params}`;
    };
    // Each switch's links keep the other choices and change their own.
    for (const key of ['metric', 'scope', 'network'] as const) {
      for (const link of document.querySelectorAll<HTMLAnchorElement>(`#${key}-switch a[data-${key}]`)) {
        const value = link.dataset[key] ?? '';
        if (value === state[key]) link.setAttribute('aria-current', 'true');
        else link.removeAttribute('aria-current');
        link.search = query({ [key]: value });
      }
    }
    history.replaceState(null, '', query({}));
    const other = byId('lang-switch');
    if (other instanceof HTMLAnchorElement) other.search = query({ lang: lang === 'fr' ? 'en' : 'fr' });
  };

  const onClick = (event: MouseEvent) => {
    const link = (event.target as HTMLElement).closest<HTMLAnchorElement>(
      'a[data-metric], a[data-scope], a[data-network]',
    );
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const before = selectionOf(state);
    state.metric = link.dataset.metric ?? state.metric;
    state.scope = link.dataset.scope ?? state.scope;
    state.network = link.dataset.network ?? state.network;
    // Movement flashes compare like with like.
    state.ranks = undefined;
    update();
    handlers.switched(selectionOf(state) !== before);
  };
  byId('metric-switch')?.addEventListener('click', onClick);
  byId('scope-switch')?.addEventListener('click', onClick);
  byId('network-switch')?.addEventListener('click', onClick);
  for (const input of document.querySelectorAll<HTMLInputElement>('input[name="peer"]')) {
    input.addEventListener('change', () => handlers.peersChanged());
  }
}
