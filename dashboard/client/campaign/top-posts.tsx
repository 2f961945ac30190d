import { render } from 'hono/jsx/dom';
import { formatDateTime, formatNumber } from '../../../src/present/format.ts';
import type { TopPostJson } from '../../api-contract.ts';
import { networkLabels, postHref } from '../../views/present.ts';
import { byId, type PageState } from './page-state.ts';

/** The campaign's ten top posts, read with the overview; the section stays hidden while there are none. */
export function drawTopPosts(state: PageState, posts: TopPostJson[]): void {
  const list = byId('top-posts');
  const section = byId('top-posts-section');
  if (!list || !section) return;
  const { lang, timezone: timeZone } = state.data;
  const t = state.t;
  const n = (value: number) => formatNumber(lang, value);
  section.hidden = posts.length === 0;
  // The texts are their authors': JSX puts them in text nodes, never parsed as HTML.
  render(
    posts.slice(0, 10).map((post) => (
      <li class="post">
        <p class="post-text">{post.text}</p>
        <p class="post-meta muted">
          {`@${post.username} · ${formatDateTime(lang, timeZone, new Date(post.createdAt))} · ` +
            `${t.likes} ${n(post.likes)} · ${t.reposts} ${n(post.reposts)} · ${t.replies} ${n(post.replies)} · `}
          <a href={postHref(post)} rel="noopener noreferrer" target="_blank">
            {t.viewOn(networkLabels[post.network])}
          </a>
        </p>
      </li>
    )),
    list,
  );
}
