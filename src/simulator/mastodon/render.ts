import type { MastodonInstanceSpec } from './instances.ts';
import { countsAt, type MastoAccount, type MastodonWorld, type MastoStatus } from './world.ts';

/**
 * Status and Account entities as Mastodon 4.5 serializes them for an anonymous reader (the shape of the
 * real captures in tests/fixtures/mastodon-api), each as one instance's copy: its own ids, its own `acct`
 * (no domain for its local accounts), its own counts (a remote copy's counts lag the home's).
 */

/** A remote account's counts on another instance are those of the last profile refresh: hours behind. */
const REMOTE_PROFILE_LAG_MS = 6 * 60 * 60 * 1000;
const DEFAULT_AVATAR = 'https://mastodon.social/avatars/original/missing.png';

export function renderAccount(world: MastodonWorld, account: MastoAccount, domain: string, now: Date) {
  const local = domain === account.home.domain;
  const at = local
    ? now
    : new Date(Math.max(account.user.createdAt.getTime(), now.getTime() - REMOTE_PROFILE_LAG_MS));
  const lastPost = account.user.postCountAt(at);
  return {
    id: world.localAccountId(account, domain),
    username: account.username,
    acct: local ? account.username : account.handle,
    display_name: account.user.name,
    locked: false,
    bot: false,
    discoverable: true,
    indexable: true,
    group: false,
    // Mastodon rounds an account's creation down to its day.
    created_at: `${account.user.createdAt.toISOString().slice(0, 10)}T00:00:00.000Z`,
    note: account.user.description ? `<p>${escapeHtml(account.user.description)}</p>` : '',
    url: account.url,
    uri: account.uri,
    avatar: DEFAULT_AVATAR,
    avatar_static: DEFAULT_AVATAR,
    header: 'https://mastodon.social/headers/original/missing.png',
    header_static: 'https://mastodon.social/headers/original/missing.png',
    followers_count: account.user.followersAt(at),
    following_count: account.user.followingCount,
    statuses_count: lastPost,
    last_status_at: lastPost > 0 ? at.toISOString().slice(0, 10) : null,
    hide_collections: null,
    noindex: false,
    emojis: [],
    roles: [],
    fields: [],
  };
}

export function renderStatus(world: MastodonWorld, status: MastoStatus, domain: string, now: Date): object {
  const spec = world.instances.find((instance) => instance.domain === domain);
  if (!spec) throw new RangeError(`no instance ${domain}`);
  const boost = status.kind === 'boost';
  const counts = boost ? { like: 0, repost: 0, reply: 0, quote: 0 } : countsAt(status, domain, now);
  const reply = status.kind === 'reply' && status.target ? status.target : undefined;
  return {
    id: world.localStatusId(status, domain),
    created_at: status.post.createdAt.toISOString(),
    in_reply_to_id: reply ? world.localStatusId(reply, domain) : null,
    in_reply_to_account_id: reply ? world.localAccountId(reply.author, domain) : null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: boost ? null : status.post.lang,
    uri: status.uri,
    url: status.url,
    replies_count: counts.reply,
    reblogs_count: counts.repost,
    favourites_count: counts.like,
    quotes_count: counts.quote,
    edited_at: null,
    content: boost ? '' : renderContent(status, spec),
    reblog: boost && status.target ? renderStatus(world, status.target, domain, now) : null,
    account: renderAccount(world, status.author, domain, now),
    media_attachments: [],
    mentions: status.mentions.map((account) => ({
      id: world.localAccountId(account, domain),
      username: account.username,
      url: account.url,
      acct: account.home.domain === domain ? account.username : account.handle,
    })),
    tags: status.tags.map((name) => ({ name, url: `https://${domain}/tags/${encodeURIComponent(name)}` })),
    emojis: [],
    card: null,
    poll: null,
    quote:
      status.kind === 'quote' && status.target
        ? { state: 'accepted', quoted_status: renderStatus(world, status.target, domain, now) }
        : null,
    quote_approval: { automatic: ['public'], manual: [], current_user: 'automatic' },
  };
}

/** The text as Mastodon renders it: escaped, hashtags and mentions as links, quotes with their RE: line. */
function renderContent(status: MastoStatus, spec: MastodonInstanceSpec): string {
  const mentioned = new Map(status.mentions.map((account) => [account.user.username.toLowerCase(), account]));
  let html = '';
  let last = 0;
  for (const match of status.post.text.matchAll(/([#@])([\p{L}\p{N}_]+)/gu)) {
    const index = match.index ?? 0;
    html += escapeHtml(status.post.text.slice(last, index));
    last = index + match[0].length;
    const [, sign, word = ''] = match;
    const account = sign === '@' ? mentioned.get(word.toLowerCase()) : undefined;
    if (sign === '#') {
      html += `<a href="https://${spec.domain}/tags/${encodeURIComponent(word.toLowerCase())}" class="mention hashtag" rel="tag">#<span>${escapeHtml(word)}</span></a>`;
    } else if (account) {
      html += `<span class="h-card" translate="no"><a href="${escapeHtml(account.url)}" class="u-url mention">@<span>${escapeHtml(account.username)}</span></a></span>`;
    } else html += escapeHtml(match[0]);
  }
  html += escapeHtml(status.post.text.slice(last));
  const quoteLine =
    status.kind === 'quote' && status.target
      ? `<p class="quote-inline">RE: <a href="${escapeHtml(status.target.url)}" target="_blank" rel="nofollow noopener" translate="no">${escapeHtml(status.target.url)}</a></p>`
      : '';
  return `${quoteLine}<p>${html}</p>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
