import { extractHashtags, extractMentions } from '../entities.ts';
import { type FaultOptions, planFaults } from '../faults.ts';
import { generateScenario, OGP16_SCENARIO } from '../scenario.ts';
import type { Scenario, ScenarioOptions, SimPost, SimUser } from '../types.ts';
import { plcDid, recordCid, tid } from './ids.ts';
import { type BlueskyGroundTruth, createBlueskyTruth } from './truth.ts';

/**
 * A Bluesky campaign drawn from the shared scenario generator: the same people, posts, engagement and
 * follower curves as an X scenario, moved to the forum's fictional 2026 edition and written the way
 * Bluesky stores them — DIDs and handles, `at://` URIs with TID keys and CIDs, `@handle` mentions and
 * `#tags` as rich-text facets with UTF-8 byte offsets, replies and quotes as strong refs, reposts as
 * records of their own rather than posts.
 */

export interface StrongRef {
  uri: string;
  cid: string;
}

export type Facet =
  | { index: { byteStart: number; byteEnd: number }; kind: 'mention'; did: string }
  | { index: { byteStart: number; byteEnd: number }; kind: 'tag'; tag: string };

export interface BskyAccount {
  did: string;
  /** the handle the account starts with (a rename is in the scenario's faults) */
  handle: string;
  displayName: string;
  description: string;
  createdAt: Date;
  followsCount: number;
  followersAt(t: Date): number;
  postsCountAt(t: Date): number;
}

export interface BskyPost {
  uri: string;
  cid: string;
  authorDid: string;
  createdAt: Date;
  indexedAt: Date;
  text: string;
  langs: string[];
  facets: Facet[];
  kind: 'post' | 'reply' | 'quote';
  reply?: { root: StrongRef; parent: StrongRef };
  quote?: StrongRef;
  /** lower-cased tags of the tag facets */
  tags: string[];
  /** DIDs of the mention facets */
  mentions: string[];
  metricsAt(t: Date): { like: number; repost: number; reply: number; quote: number };
}

export interface BskyRepost {
  uri: string;
  cid: string;
  byDid: string;
  subject: StrongRef;
  createdAt: Date;
}

export interface BlueskyFaults {
  deletedPosts: ReadonlyArray<{ uri: string; at: Date }>;
  renamedAccounts: ReadonlyArray<{ did: string; from: string; to: string; at: Date }>;
}

export interface BlueskyScenario {
  name: string;
  seed: number;
  timezone: 'Europe/Paris';
  window: { start: Date; end: Date };
  homeHandle: string;
  queries: string[];
  /** handles of the watchlist peers */
  watchlist: string[];
  accounts: BskyAccount[];
  /** ascending createdAt */
  posts: BskyPost[];
  /** ascending createdAt */
  reposts: BskyRepost[];
  faults: BlueskyFaults;
  truth: BlueskyGroundTruth;
}

export interface BlueskyScenarioOptions extends ScenarioOptions {
  /**
   * Deleted posts and renamed handles, drawn by the shared fault planner (src/simulator/faults.ts) with
   * the same defaults: posts deleted hours after they were written, renames within the window; accounts
   * drawn by `share` are never the home or watchlist ones. Instants are the scenario's (2026).
   */
  faults?: {
    deletedPosts?: { share: number; delayMs?: number };
    renamedAccounts?: { share?: number; handles?: readonly string[]; at?: Date | string };
  };
  /**
   * The first instant of the forum's window (default FORUM26_WINDOW.start): the demo replays forum26 on
   * the 2016 summit's days, beside ogp16, because the tracker runs on one clock (src/demo.ts says why).
   */
  windowStart?: Date;
}

/** The home organisation's Bluesky account, the one real handle of the scenario. */
export const HOME_HANDLE = 'opendataforum.bsky.social';

const HOME_DESCRIPTION =
  'Local Government Open Data Forum — Paris, 7–9 December 2026, beside the OGP summit (simulated edition).';

/** The forum's fictional 2026 edition: the 2016 summit's days, ten years on (both in CET, UTC+1). */
export const FORUM26_WINDOW = { start: '2026-12-07T00:00:00+01:00', end: '2026-12-10T00:00:00+01:00' };

/** Bluesky opened to the public in 2023: accounts are spread from then to the month before the forum. */
const BLUESKY_EPOCH_MS = Date.parse('2023-04-01T00:00:00Z');
const X_EARLIEST_MS = Date.parse('2008-03-01T00:00:00Z');

/** `tracker simulate --network bluesky --scenario`: the forum's Bluesky side is smaller than its X side. */
export const BLUESKY_PRESETS: Readonly<Record<string, BlueskyScenarioOptions>> = {
  forum26: {
    name: 'forum26',
    seed: 2026,
    accounts: 380,
    posts: 4_000,
    faults: { deletedPosts: { share: 0.01 }, renamedAccounts: { share: 0.01 } },
  },
  'forum26-small': { name: 'forum26-small', seed: 26, accounts: 40, posts: 500 },
};

export function generateBlueskyScenario(options: BlueskyScenarioOptions = {}): BlueskyScenario {
  const { windowStart, ...generatorOptions } = options;
  const base = generateScenario({ ...generatorOptions, name: options.name ?? 'forum26' });
  const shiftMs =
    (windowStart?.getTime() ?? Date.parse(FORUM26_WINDOW.start)) - Date.parse(OGP16_SCENARIO.window.start);
  const shifted = (date: Date) => new Date(date.getTime() + shiftMs);
  const accounts = base.users.map((user, index) => toAccount(user, index === 0, shiftMs));
  const byXId = new Map(base.users.map((user, index) => [user.id, accounts[index] as BskyAccount]));
  const byDid = new Map(accounts.map((account) => [account.did, account]));
  const byXName = new Map(base.users.map((user, index) => [user.username.toLowerCase(), accounts[index]]));
  const handles = new Set<string>();
  for (const account of accounts) {
    if (handles.has(account.handle)) throw new Error(`two accounts would share the handle ${account.handle}`);
    handles.add(account.handle);
  }

  // Renames are known before the posts: a post written after one mentions the new handle.
  const planned = planBlueskyFaults(base, options.faults, byXId, shiftMs);
  const renames = new Map(planned.renamedAccounts.map((rename) => [rename.did, rename]));
  const handleAt = (did: string, xTime: Date) => {
    const rename = renames.get(did);
    return rename && rename.at.getTime() <= xTime.getTime() + shiftMs ? rename.to : byDid.get(did)?.handle;
  };
  const posts: BskyPost[] = [];
  const reposts: BskyRepost[] = [];
  const byXPost = new Map<string, BskyPost>();
  const taken = new Set<string>();
  for (const post of base.posts) {
    const author = byXId.get(post.authorId);
    if (!author) throw new Error(`post ${post.id} has an unknown author`);
    const rkey = uniqueKey(post, author.did, taken, shiftMs);
    if (post.kind === 'repost') {
      const subject = post.referencedId ? byXPost.get(post.referencedId) : undefined;
      if (!subject) continue;
      const uri = `at://${author.did}/app.bsky.feed.repost/${rkey}`;
      const createdAt = shifted(post.createdAt);
      reposts.push({
        uri,
        cid: recordCid(`${uri}|${subject.uri}`),
        byDid: author.did,
        subject: ref(subject),
        createdAt,
      });
      continue;
    }
    const written = writeText(post, (username) => {
      const account = byXName.get(username.toLowerCase());
      return account && { did: account.did, handle: handleAt(account.did, post.createdAt) };
    });
    const target = post.referencedId ? byXPost.get(post.referencedId) : undefined;
    const uri = `at://${author.did}/app.bsky.feed.post/${rkey}`;
    const createdAt = shifted(post.createdAt);
    const kind = target ? post.kind : 'post';
    const bsky: BskyPost = {
      uri,
      cid: recordCid(`${uri}|${written.text}`),
      authorDid: author.did,
      createdAt,
      // The AppView indexes a post a moment after it is written.
      indexedAt: new Date(createdAt.getTime() + 150 + (Number(BigInt(post.id) % 1850n) || 0)),
      text: written.text,
      langs: [post.lang],
      facets: written.facets,
      kind,
      ...(kind === 'reply' && target ? { reply: { root: rootOf(target), parent: ref(target) } } : {}),
      ...(kind === 'quote' && target ? { quote: ref(target) } : {}),
      tags: [...new Set(written.facets.flatMap((f) => (f.kind === 'tag' ? [f.tag.toLowerCase()] : [])))],
      mentions: [...new Set(written.facets.flatMap((f) => (f.kind === 'mention' ? [f.did] : [])))],
      metricsAt: (t) => {
        const m = post.metricsAt(new Date(t.getTime() - shiftMs));
        return { like: m.like, repost: m.repost, reply: m.reply, quote: m.quote };
      },
    };
    posts.push(bsky);
    byXPost.set(post.id, bsky);
  }

  const faults: BlueskyFaults = {
    deletedPosts: planned.deletedXPosts.flatMap(({ id, at }) => {
      const post = byXPost.get(id);
      return post ? [{ uri: post.uri, at: shifted(at) }] : [];
    }),
    renamedAccounts: planned.renamedAccounts,
  };
  const window = { start: shifted(base.window.start), end: shifted(base.window.end) };
  const watchlist = base.watchlist.map((name) => byXName.get(name.toLowerCase())?.handle ?? name);
  const frame = { name: base.name, seed: base.seed, window, queries: [...base.queries], watchlist };
  const truth = createBlueskyTruth({ ...frame, homeHandle: HOME_HANDLE, accounts, posts, reposts, faults });
  return {
    ...frame,
    timezone: 'Europe/Paris',
    homeHandle: HOME_HANDLE,
    accounts,
    posts,
    reposts,
    faults,
    truth,
  };
}

/** An X username as a Bluesky handle: lower case, `_` (not allowed in handles) as `-`. */
export function handleOf(username: string): string {
  const label = username
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${label || 'user'}.bsky.social`;
}

function toAccount(user: SimUser, home: boolean, shiftMs: number): BskyAccount {
  const fraction =
    (user.createdAt.getTime() - X_EARLIEST_MS) / (Date.parse(OGP16_SCENARIO.window.start) - X_EARLIEST_MS);
  const windowStartMs = Date.parse(OGP16_SCENARIO.window.start) + shiftMs;
  // Moved with the window (the demo replays it in 2016), accounts stay as old as they are in 2026.
  const epochMs = BLUESKY_EPOCH_MS + windowStartMs - Date.parse(FORUM26_WINDOW.start);
  const createdMs =
    epochMs + Math.max(0, Math.min(1, fraction)) * (windowStartMs - 30 * 86_400_000 - epochMs);
  return {
    did: plcDid(user.id),
    handle: home ? HOME_HANDLE : handleOf(user.username),
    displayName: user.name,
    description: home ? HOME_DESCRIPTION : user.description,
    createdAt: new Date(Math.floor(createdMs / 1000) * 1000),
    followsCount: user.followingCount,
    followersAt: (t) => user.followersAt(new Date(t.getTime() - shiftMs)),
    postsCountAt: (t) => user.postCountAt(new Date(t.getTime() - shiftMs)),
  };
}

function ref(post: BskyPost): StrongRef {
  return { uri: post.uri, cid: post.cid };
}

function rootOf(parent: BskyPost): StrongRef {
  return parent.reply ? parent.reply.root : ref(parent);
}

/** A TID from the post's instant, its microseconds from the X id's low bits; unique in the author's repo. */
function uniqueKey(post: SimPost, did: string, taken: Set<string>, shiftMs: number): string {
  const id = BigInt(post.id);
  let micros = (post.createdAt.getTime() + shiftMs) * 1000 + Number(id % 1000n);
  const clockId = Number((id >> 10n) % 1024n);
  for (;;) {
    const key = tid(micros, clockId);
    if (!taken.has(`${did}/${key}`)) {
      taken.add(`${did}/${key}`);
      return key;
    }
    micros += 1;
  }
}

/**
 * The X text as a Bluesky client writes it: each `@username` of a scenario account becomes `@handle`
 * (the handle the account has then, as the client resolved it) with a mention facet naming its DID;
 * each hashtag gets a tag facet. Offsets are UTF-8 bytes, as the facet lexicon wants.
 */
function writeText(
  post: SimPost,
  accountOf: (username: string) => { did: string; handle: string | undefined } | undefined,
): { text: string; facets: Facet[] } {
  const codePoints = [...post.text];
  const marks = [
    ...extractHashtags(post.text).map((h) => ({
      start: h.start,
      end: h.end,
      tag: h.tag,
      account: undefined,
    })),
    ...extractMentions(post.text).map((m) => ({
      start: m.start,
      end: m.end,
      tag: undefined,
      account: accountOf(m.username),
    })),
  ].sort((a, b) => a.start - b.start);
  let text = '';
  let cursor = 0;
  const facets: Facet[] = [];
  for (const mark of marks) {
    if (mark.tag === undefined && !mark.account?.handle) continue;
    text += codePoints.slice(cursor, mark.start).join('');
    const byteStart = Buffer.byteLength(text);
    if (mark.account?.handle) {
      text += `@${mark.account.handle}`;
      facets.push({
        index: { byteStart, byteEnd: Buffer.byteLength(text) },
        kind: 'mention',
        did: mark.account.did,
      });
    } else if (mark.tag !== undefined) {
      text += `#${mark.tag}`;
      facets.push({ index: { byteStart, byteEnd: Buffer.byteLength(text) }, kind: 'tag', tag: mark.tag });
    }
    cursor = mark.end;
  }
  text += codePoints.slice(cursor).join('');
  return { text, facets };
}

/** The faults, planned on the X scenario; renames as Bluesky handles, deletions still by X post id. */
function planBlueskyFaults(
  base: Scenario,
  options: BlueskyScenarioOptions['faults'],
  byXId: ReadonlyMap<string, BskyAccount>,
  shiftMs: number,
): {
  deletedXPosts: ReadonlyArray<{ id: string; at: Date }>;
  renamedAccounts: BlueskyFaults['renamedAccounts'];
} {
  if (!options) return { deletedXPosts: [], renamedAccounts: [] };
  const xName = new Map(base.users.map((user) => [byXId.get(user.id)?.handle, user.username]));
  const planned: FaultOptions = {};
  if (options.deletedPosts) planned.deletedPosts = options.deletedPosts;
  const renamed = options.renamedAccounts;
  if (renamed) {
    planned.renamedAccounts = {
      ...(renamed.share === undefined ? {} : { share: renamed.share }),
      ...(renamed.at === undefined ? {} : { at: new Date(new Date(renamed.at).getTime() - shiftMs) }),
      usernames: (renamed.handles ?? []).map((handle) => {
        const username = xName.get(handle.toLowerCase());
        if (!username) throw new RangeError(`faults rename @${handle}, who is not in the scenario`);
        return username;
      }),
    };
  }
  const plan = planFaults(base, planned);
  const handles = new Set([...byXId.values()].map((account) => account.handle));
  const renamedAccounts = plan.renamedAccounts.flatMap(({ id, to, at }) => {
    const account = byXId.get(id);
    if (!account) return [];
    const handle = handleOf(to);
    if (handles.has(handle)) throw new Error(`a rename would give ${handle} to a second account`);
    handles.add(handle);
    return [{ did: account.did, from: account.handle, to: handle, at: new Date(at.getTime() + shiftMs) }];
  });
  return { deletedXPosts: plan.deletedPosts, renamedAccounts };
}
