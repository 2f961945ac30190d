import { createRandom } from '../random.ts';
import type { PostMetrics, Scenario, SimPost, SimUser } from '../types.ts';
import { FIXED_HOMES, type MastodonInstanceSpec } from './instances.ts';

/**
 * The scenario as Mastodon holds it: which scenario accounts are on Mastodon and where, their statuses
 * (a reply or quote whose parent is not on Mastodon becomes a plain post; a repost of a status becomes a
 * boost), and which instances each status reached. Built once from the shared scenario generator.
 */
export interface MastoAccount {
  user: SimUser;
  username: string;
  home: MastodonInstanceSpec;
  /** id on the home instance; other instances give their copy another id (`localAccountId`) */
  homeId: string;
  uri: string;
  url: string;
  handle: string;
}

export type MastoKind = 'post' | 'reply' | 'quote' | 'boost';

export interface MastoStatus {
  post: SimPost;
  author: MastoAccount;
  kind: MastoKind;
  homeId: string;
  uri: string;
  url: string;
  /** lower-case, without `#`; none on a boost */
  tags: string[];
  mentions: MastoAccount[];
  /** parent of a reply, quoted status of a quote, boosted status of a boost */
  target?: MastoStatus;
  /** domains whose timelines hold a copy (the home always) */
  reached: Set<string>;
  /** per non-home domain: how long after posting that copy stopped receiving count updates */
  staleAfterMs: Map<string, number>;
}

export interface MastodonWorld {
  instances: readonly MastodonInstanceSpec[];
  accounts: MastoAccount[];
  /** ascending creation time */
  statuses: MastoStatus[];
  accountByHandle: Map<string, MastoAccount>;
  /** the local id an instance gives its copy of an account */
  localAccountId(account: MastoAccount, domain: string): string;
  /** the local id an instance gives its copy of a status */
  localStatusId(status: MastoStatus, domain: string): string;
}

/** Share of generated accounts that are also on Mastodon (the fixed accounts always are). */
const ON_MASTODON = 0.3;
/** Remote copies stop updating between these delays after the post (activities stop reaching them). */
const STALE_MIN_MS = 20 * 60 * 1000;
const STALE_SPAN_MS = 8 * 60 * 60 * 1000;

export function buildMastodonWorld(
  scenario: Scenario,
  instances: readonly MastodonInstanceSpec[],
): MastodonWorld {
  const random = createRandom(scenario.seed, 'mastodon');
  const byDomain = new Map(instances.map((spec) => [spec.domain, spec]));
  const taken = new Set<string>();
  const accounts: MastoAccount[] = [];
  const accountOfUser = new Map<string, MastoAccount>();
  const accountByHandle = new Map<string, MastoAccount>();
  for (const [index, user] of scenario.users.entries()) {
    const fixedHome = FIXED_HOMES[index];
    if (fixedHome === undefined && !random.chance(ON_MASTODON)) continue;
    const home = byDomain.get(fixedHome ?? '') ?? pickHome(random.next(), instances);
    let username = user.username.toLowerCase().replace(/[^a-z0-9]/g, '') || 'user';
    while (taken.has(`${username}@${home.domain}`)) username = `${username}${random.int(10)}`;
    taken.add(`${username}@${home.domain}`);
    const homeId = mastodonId(user.createdAt.getTime(), random.int(0x10000));
    const uri =
      home.uriStyle === 'ap'
        ? `https://${home.domain}/ap/users/${homeId}`
        : `https://${home.domain}/users/${username}`;
    const account: MastoAccount = {
      user,
      username,
      home,
      homeId,
      uri,
      url: `https://${home.domain}/@${username}`,
      handle: `${username}@${home.domain}`,
    };
    accounts.push(account);
    accountOfUser.set(user.id, account);
    accountByHandle.set(account.handle, account);
  }

  const userByName = new Map(scenario.users.map((user) => [user.username.toLowerCase(), user]));
  const statuses: MastoStatus[] = [];
  const statusOfPost = new Map<string, MastoStatus>();
  for (const post of scenario.posts) {
    const author = accountOfUser.get(post.authorId);
    if (!author) continue;
    const referenced = post.referencedId ? statusOfPost.get(post.referencedId) : undefined;
    const target = referenced?.kind === 'boost' ? referenced.target : referenced;
    if (post.kind === 'repost' && !target) continue;
    const kind: MastoKind =
      post.kind === 'repost'
        ? 'boost'
        : target && (post.kind === 'reply' || post.kind === 'quote')
          ? post.kind
          : 'post';
    const homeId = mastodonId(post.createdAt.getTime(), random.int(0x10000));
    const base =
      author.home.uriStyle === 'ap'
        ? `https://${author.home.domain}/ap/users/${author.homeId}/statuses/${homeId}`
        : `https://${author.home.domain}/users/${author.username}/statuses/${homeId}`;
    const mentions: MastoAccount[] = [];
    if (kind !== 'boost') {
      for (const name of post.mentions) {
        const user = userByName.get(name.toLowerCase());
        const mentioned = user ? accountOfUser.get(user.id) : undefined;
        if (mentioned && !mentions.includes(mentioned)) mentions.push(mentioned);
      }
    }
    const reached = new Set([author.home.domain]);
    const staleAfterMs = new Map<string, number>();
    for (const spec of instances) {
      if (spec === author.home) continue;
      // A reply or quote travels where its parent went, more often than not.
      const more = target?.reached.has(spec.domain) ? 0.2 : 0;
      if (random.chance(Math.min(1, spec.reach + more))) {
        reached.add(spec.domain);
        staleAfterMs.set(spec.domain, STALE_MIN_MS + random.int(STALE_SPAN_MS));
      }
    }
    const status: MastoStatus = {
      post,
      author,
      kind,
      homeId,
      uri: kind === 'boost' ? `${base}/activity` : base,
      url:
        kind === 'boost' ? `${base}/activity` : `https://${author.home.domain}/@${author.username}/${homeId}`,
      tags: kind === 'boost' ? [] : [...new Set(post.hashtags.map((tag) => tag.toLowerCase()))],
      mentions,
      ...(target ? { target } : {}),
      reached,
      staleAfterMs,
    };
    statuses.push(status);
    statusOfPost.set(post.id, status);
  }

  return {
    instances,
    accounts,
    statuses,
    accountByHandle,
    localAccountId: (account, domain) =>
      domain === account.home.domain
        ? account.homeId
        : localCopyId(account.user.createdAt.getTime(), account.uri, domain),
    localStatusId: (status, domain) =>
      domain === status.author.home.domain
        ? status.homeId
        : localCopyId(status.post.createdAt.getTime(), status.uri, domain),
  };
}

/** Mastodon's ids: milliseconds since the epoch in the high bits, 16 low bits to tell apart. */
export function mastodonId(ms: number, low16: number): string {
  return ((BigInt(ms) << 16n) | BigInt(low16 & 0xffff)).toString();
}

/** A copy's id on a non-home instance: its own low bits, stable across runs (FNV-1a of uri and domain). */
function localCopyId(ms: number, uri: string, domain: string): string {
  let hash = 0x811c9dc5;
  for (const char of `${domain} ${uri}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return mastodonId(ms, hash);
}

function pickHome(r: number, instances: readonly MastodonInstanceSpec[]): MastodonInstanceSpec {
  const total = instances.reduce((sum, spec) => sum + spec.homeShare, 0);
  let acc = 0;
  for (const spec of instances) {
    acc += spec.homeShare / total;
    if (r < acc) return spec;
  }
  const last = instances.at(-1);
  if (!last) throw new RangeError('a Mastodon stand-in needs at least one instance');
  return last;
}

/** Counts of a status as an instance's copy shows them at `now`: the home's are current, others lag. */
export function countsAt(status: MastoStatus, domain: string, now: Date): PostMetrics {
  const stale = status.staleAfterMs.get(domain);
  if (domain === status.author.home.domain || stale === undefined) return status.post.metricsAt(now);
  return status.post.metricsAt(new Date(Math.min(now.getTime(), status.post.createdAt.getTime() + stale)));
}
