import type { FC } from 'hono/jsx';
import type { Network } from '../../src/networks/types.ts';
import { networkLabels } from './present.ts';

/**
 * A network's mark beside an account, drawn here (inline SVG in the text's colour: no asset to
 * fetch, the CSP allows nothing else) and named for screen readers by its label, not its shape.
 * No <title>: the handle's text stays the handle (the label is an attribute). Rendered by the
 * server and by the browser (hono/jsx/dom).
 */
export const NetworkIcon: FC<{ network: Network }> = ({ network }) => (
  <svg
    class={`network-icon network-${network}`}
    viewBox="0 0 16 16"
    role="img"
    aria-label={networkLabels[network]}
  >
    <path d={shapes[network]} />
  </svg>
);

/** Simple shapes: a cross for X, two wings for Bluesky, a speech bubble for Mastodon. */
const shapes: Record<Network, string> = {
  x: 'M2 2h3l9 12h-3zM11.5 2h2L4.5 14h-2z',
  bluesky:
    'M8 7C6.5 4 3.5 1.5 2 2.5c-1.5 1 .5 5 3 6-2 .5-2.5 2.5-.5 3.5S7 10 8 8.5c1 1.5 2.5 4.5 3.5 3.5s1.5-3-.5-3.5c2.5-1 4.5-5 3-6C12.5 1.5 9.5 4 8 7z',
  mastodon:
    'M3 1.5h10a1.5 1.5 0 0 1 1.5 1.5v7a1.5 1.5 0 0 1-1.5 1.5H7l-3 3v-3H3A1.5 1.5 0 0 1 1.5 10V3A1.5 1.5 0 0 1 3 1.5zM4.5 8.5h1.5V5.5h1v3h1.5V5.5h1v3h1.5V5a1.5 1.5 0 0 0-1.5-1.5h-3.5A1.5 1.5 0 0 0 4.5 5z',
};
