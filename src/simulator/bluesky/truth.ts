import { rankRows } from '../truth.ts';
import type { LeaderboardMetric, LeaderboardRow, LeaderboardScope } from '../types.ts';
import type { BlueskyFaults, BskyAccount, BskyPost, BskyRepost } from './scenario.ts';

/** The metrics Bluesky can rank: every DESIGN metric but impressions, which Bluesky does not report. */
export type BlueskyMetric = Exclude<LeaderboardMetric, 'impressions'>;

export interface BlueskyLeaderboardQuery {
  scope?: LeaderboardScope;
  from?: Date;
  to?: Date;
  /** when engagement is read (default `to`) */
  observedAt?: Date;
  /** handles of the watchlist peers (default: the scenario's); the home account is always in it */
  watchlist?: readonly string[];
  /**
   * Leave out posts deleted at or before this instant (and reposts of them), as a collector that read
   * after the deletions sees it. Unset: every post the scenario wrote counts.
   */
  visibleAt?: Date;
}

export interface BlueskyGroundTruth {
  /**
   * Rows keyed by DID (`authorId`), named by the handle the account has at `to` (`username`):
   * - posts: campaign posts, replies and quotes authored in [from, to) — a campaign post carries a tag
   *   facet of a campaign query (`#OGP16` matches the tag case-insensitively);
   * - reposts: repost records made in [from, to) of campaign posts;
   * - engagement: likes + reposts + replies + quotes of the counted posts at `observedAt`;
   * - mentions: counted posts by other accounts with a mention facet naming the account's DID (one per
   *   post; a renamed handle still counts, the facet names the DID);
   * - followers, follower_growth, follower_growth_pct: as for X.
   * Standard competition ranking; ties listed by handle.
   */
  leaderboard(metric: BlueskyMetric, query?: BlueskyLeaderboardQuery): LeaderboardRow[];
  /** URIs of the campaign posts (reposts excluded) created in [from, to), visible at `visibleAt` if given. */
  campaignPosts(window: { from: Date; to: Date; visibleAt?: Date }): string[];
  /** The account's handle at an instant (renames applied). */
  handleAt(did: string, t: Date): string;
}

export interface BlueskyTruthInput {
  window: { start: Date; end: Date };
  queries: readonly string[];
  homeHandle: string;
  watchlist: readonly string[];
  accounts: readonly BskyAccount[];
  posts: readonly BskyPost[];
  reposts: readonly BskyRepost[];
  faults: BlueskyFaults;
}

export function createBlueskyTruth(input: BlueskyTruthInput): BlueskyGroundTruth {
  const tags = new Set(input.queries.map((query) => query.replace(/^#/, '').toLowerCase()));
  const byDid = new Map(input.accounts.map((account) => [account.did, account]));
  const byHandle = new Map(input.accounts.map((account) => [account.handle.toLowerCase(), account]));
  const deletedAt = new Map(input.faults.deletedPosts.map((post) => [post.uri, post.at.getTime()]));
  const renames = new Map(input.faults.renamedAccounts.map((rename) => [rename.did, rename]));
  const campaign = input.posts.filter((post) => post.tags.some((tag) => tags.has(tag)));
  const campaignUris = new Set(campaign.map((post) => post.uri));
  const campaignReposts = input.reposts.filter((repost) => campaignUris.has(repost.subject.uri));

  const handleAt = (did: string, t: Date): string => {
    const account = byDid.get(did);
    if (!account) throw new RangeError(`no account ${did} in this scenario`);
    const rename = renames.get(did);
    return rename && rename.at.getTime() <= t.getTime() ? rename.to : account.handle;
  };
  const accountNamed = (handle: string): BskyAccount => {
    const account = byHandle.get(handle.toLowerCase());
    if (!account) throw new RangeError(`no account ${handle} in this scenario`);
    return account;
  };
  const visible = (uri: string, at: Date | undefined) => {
    const deleted = deletedAt.get(uri);
    return at === undefined || deleted === undefined || deleted > at.getTime();
  };
  const postsIn = (from: Date, to: Date, at: Date | undefined) =>
    campaign.filter((post) => post.createdAt >= from && post.createdAt < to && visible(post.uri, at));
  const repostsIn = (from: Date, to: Date, at: Date | undefined) =>
    campaignReposts.filter(
      (repost) => repost.createdAt >= from && repost.createdAt < to && visible(repost.subject.uri, at),
    );

  function leaderboard(metric: BlueskyMetric, query: BlueskyLeaderboardQuery = {}): LeaderboardRow[] {
    const from = query.from ?? input.window.start;
    const to = query.to ?? input.window.end;
    const observedAt = query.observedAt ?? to;
    const counted = postsIn(from, to, query.visibleAt);
    const reposted = repostsIn(from, to, query.visibleAt);
    const members = new Map<string, BskyAccount>();
    for (const handle of [input.homeHandle, ...(query.watchlist ?? input.watchlist)]) {
      const account = accountNamed(handle);
      members.set(account.did, account);
    }
    if ((query.scope ?? 'all') === 'all') {
      for (const did of [...counted.map((p) => p.authorDid), ...reposted.map((r) => r.byDid)]) {
        const account = byDid.get(did);
        if (account) members.set(did, account);
      }
    }
    const values = new Map<string, number>([...members.keys()].map((did) => [did, 0]));
    const add = (did: string, amount: number) => {
      const value = values.get(did);
      if (value !== undefined) values.set(did, value + amount);
    };
    if (metric === 'posts') for (const post of counted) add(post.authorDid, 1);
    if (metric === 'reposts') for (const repost of reposted) add(repost.byDid, 1);
    if (metric === 'engagement') {
      for (const post of counted) {
        const m = post.metricsAt(observedAt);
        add(post.authorDid, m.like + m.repost + m.reply + m.quote);
      }
    }
    if (metric === 'mentions') {
      for (const post of counted) {
        for (const did of new Set(post.mentions)) if (did !== post.authorDid) add(did, 1);
      }
    }
    if (metric === 'followers' || metric === 'follower_growth' || metric === 'follower_growth_pct') {
      for (const account of members.values()) {
        const atTo = account.followersAt(to);
        const atFrom = account.followersAt(from);
        values.set(
          account.did,
          metric === 'followers'
            ? atTo
            : metric === 'follower_growth'
              ? atTo - atFrom
              : atFrom > 0
                ? ((atTo - atFrom) / atFrom) * 100
                : 0,
        );
      }
    }
    return rankRows(
      [...members.values()].map((account) => ({
        authorId: account.did,
        username: handleAt(account.did, to),
        value: values.get(account.did) ?? 0,
      })),
    );
  }

  return {
    leaderboard,
    campaignPosts: ({ from, to, visibleAt }) => postsIn(from, to, visibleAt).map((post) => post.uri),
    handleAt,
  };
}
