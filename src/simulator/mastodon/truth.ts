import type { MastoAccount, MastodonWorld, MastoStatus } from './world.ts';

/**
 * What a tracker reading the stand-in must find, computed from the world itself:
 * - campaign posts: statuses (not boosts) carrying a campaign tag, created in [from, to), that reached at
 *   least one instance the tracker can read (an instance that refuses it sees nothing of it);
 * - their counts: the HOME copy's at `observedAt` (favourites, reblogs, replies, quotes);
 * - per author: posts, engagement (sum of those counts), mentions (campaign posts by others naming the
 *   account, one per post, by account uri), followers from the home instance at `observedAt`;
 * - reposts: boosts created in [from, to) of campaign-tagged statuses (tag timelines never list boosts: a
 *   tracker sees them only through account timelines).
 */
export interface MastodonTruthQuery {
  /** domains the tracker can read (a closed instance only with its token) */
  readable: readonly string[];
  /** campaign tags, with or without `#`, any case */
  tags: readonly string[];
  from: Date;
  to: Date;
  observedAt: Date;
}

export interface MastodonTruthPost {
  uri: string;
  authorUri: string;
  kind: 'post' | 'reply' | 'quote';
  counts: { like: number; repost: number; reply: number; quote: number };
  /** account uris, the author's own included when the text names it */
  mentions: string[];
}

export interface MastodonTruthAccount {
  uri: string;
  handle: string;
  posts: number;
  reposts: number;
  engagement: number;
  mentions: number;
  followers: number;
}

export interface MastodonTruth {
  posts: Map<string, MastodonTruthPost>;
  /** every author of a campaign post, plus every account mentioned by one */
  accounts: Map<string, MastodonTruthAccount>;
}

export function mastodonTruth(world: MastodonWorld, query: MastodonTruthQuery): MastodonTruth {
  const tags = new Set(query.tags.map((tag) => tag.replace(/^#/, '').toLowerCase()));
  const readable = new Set(query.readable);
  const inWindow = (status: MastoStatus) => {
    const ms = status.post.createdAt.getTime();
    return ms >= query.from.getTime() && ms < query.to.getTime() && ms <= query.observedAt.getTime();
  };
  const tagged = (status: MastoStatus) => status.kind !== 'boost' && status.tags.some((tag) => tags.has(tag));
  const accounts = new Map<string, MastodonTruthAccount>();
  const entry = (account: MastoAccount) => {
    let row = accounts.get(account.uri);
    if (!row) {
      row = {
        uri: account.uri,
        handle: account.handle,
        posts: 0,
        reposts: 0,
        engagement: 0,
        mentions: 0,
        followers: account.user.followersAt(query.observedAt),
      };
      accounts.set(account.uri, row);
    }
    return row;
  };
  const posts = new Map<string, MastodonTruthPost>();
  for (const status of world.statuses) {
    if (!inWindow(status)) continue;
    if (status.kind === 'boost') {
      if (status.target && tagged(status.target)) entry(status.author).reposts++;
      continue;
    }
    if (!tagged(status) || ![...status.reached].some((domain) => readable.has(domain))) continue;
    const m = status.post.metricsAt(query.observedAt);
    const counts = { like: m.like, repost: m.repost, reply: m.reply, quote: m.quote };
    posts.set(status.uri, {
      uri: status.uri,
      authorUri: status.author.uri,
      kind: status.kind,
      counts,
      mentions: status.mentions.map((account) => account.uri),
    });
    const author = entry(status.author);
    author.posts++;
    author.engagement += counts.like + counts.repost + counts.reply + counts.quote;
    for (const account of status.mentions) if (account !== status.author) entry(account).mentions++;
  }
  return { posts, accounts };
}
