import type { Clock } from '../../clock.ts';
import type { BlueskyScenario, BskyAccount, BskyPost, BskyRepost } from './scenario.ts';

/** One entry of an author feed: the author's post, or a repost the author made. */
export type FeedEntry = { sortAt: number; post: BskyPost; repost?: BskyRepost };

/** An entry's tie-breaker after its time, in feed order and cursors: the repost's CID, else the post's. */
export function feedKey(entry: FeedEntry): string {
  return entry.repost?.cid ?? entry.post.cid;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What every route reads: the scenario at the simulated instant — posts not yet written or deleted by
 * then are gone (reposts of deleted posts too), handles renamed by then answer to their new name only.
 */
export class BlueskyState {
  readonly scenario: BlueskyScenario;
  readonly clock: Clock;
  readonly #posts = new Map<string, BskyPost>();
  readonly #accounts = new Map<string, BskyAccount>();
  readonly #byHandle = new Map<string, BskyAccount>();
  readonly #deletedAt = new Map<string, number>();
  readonly #renames = new Map<string, { atMs: number; to: string }>();
  readonly #renamedTo = new Map<string, string>();
  /** by DID: posts and reposts, ascending sortAt */
  readonly #feeds = new Map<string, FeedEntry[]>();

  constructor(scenario: BlueskyScenario, clock: Clock) {
    this.scenario = scenario;
    this.clock = clock;
    for (const account of scenario.accounts) {
      this.#accounts.set(account.did, account);
      this.#byHandle.set(account.handle, account);
    }
    for (const post of scenario.posts) this.#posts.set(post.uri, post);
    for (const { uri, at } of scenario.faults.deletedPosts) this.#deletedAt.set(uri, at.getTime());
    for (const { did, to, at } of scenario.faults.renamedAccounts) {
      this.#renames.set(did, { atMs: at.getTime(), to });
      this.#renamedTo.set(to, did);
    }
    const entries: Array<FeedEntry & { did: string }> = [
      ...scenario.posts.map((post) => ({ did: post.authorDid, sortAt: post.createdAt.getTime(), post })),
      ...scenario.reposts.flatMap((repost) => {
        const post = this.#posts.get(repost.subject.uri);
        return post ? [{ did: repost.byDid, sortAt: repost.createdAt.getTime(), post, repost }] : [];
      }),
    ].sort((a, b) => a.sortAt - b.sortAt || compare(feedKey(a), feedKey(b)));
    for (const { did, ...entry } of entries) {
      const feed = this.#feeds.get(did);
      if (feed) feed.push(entry);
      else this.#feeds.set(did, [entry]);
    }
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  handleAt(account: BskyAccount, nowMs: number): string {
    const rename = this.#renames.get(account.did);
    return rename && rename.atMs <= nowMs ? rename.to : account.handle;
  }

  /** A DID or handle (any case, `@` allowed) as clients see it now; undefined if unknown. */
  resolveActor(actor: string, nowMs: number): BskyAccount | undefined {
    const key = actor.toLowerCase().replace(/^@/, '');
    let account: BskyAccount | undefined;
    if (key.startsWith('did:')) {
      account = this.#accounts.get(key);
    } else {
      const renamedDid = this.#renamedTo.get(key);
      const rename = renamedDid ? this.#renames.get(renamedDid) : undefined;
      if (renamedDid && rename && rename.atMs <= nowMs) account = this.#accounts.get(renamedDid);
      else {
        account = this.#byHandle.get(key);
        const own = account ? this.#renames.get(account.did) : undefined;
        if (own && own.atMs <= nowMs) account = undefined;
      }
    }
    return account && account.createdAt.getTime() <= nowMs ? account : undefined;
  }

  account(did: string): BskyAccount | undefined {
    return this.#accounts.get(did);
  }

  postVisible(post: BskyPost, nowMs: number): boolean {
    if (post.createdAt.getTime() > nowMs) return false;
    const deleted = this.#deletedAt.get(post.uri);
    return deleted === undefined || deleted > nowMs;
  }

  /** The post if visible now. */
  post(uri: string, nowMs: number): BskyPost | undefined {
    const post = this.#posts.get(uri);
    return post && this.postVisible(post, nowMs) ? post : undefined;
  }

  /** Search hits, newest first: every term must match (`#tag` a tag facet, a word the text). */
  search(q: string, sinceMs: number, untilMs: number, nowMs: number): BskyPost[] {
    const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
    const tags = terms.filter((t) => t.startsWith('#') && t.length > 1).map((t) => t.slice(1));
    const words = terms.filter((t) => !t.startsWith('#'));
    const hits: BskyPost[] = [];
    for (const post of this.scenario.posts) {
      const at = post.createdAt.getTime();
      if (at < sinceMs || at >= untilMs || !this.postVisible(post, nowMs)) continue;
      if (!tags.every((tag) => post.tags.includes(tag))) continue;
      if (words.length > 0) {
        const text = post.text.toLowerCase();
        if (!words.every((word) => text.includes(word))) continue;
      }
      hits.push(post);
    }
    return hits.reverse();
  }

  /** The account's feed now, newest first: its visible posts, and its reposts of visible posts. */
  feed(did: string, nowMs: number): FeedEntry[] {
    const entries = this.#feeds.get(did) ?? [];
    const out: FeedEntry[] = [];
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (!entry || entry.sortAt > nowMs || !this.postVisible(entry.post, nowMs)) continue;
      out.push(entry);
    }
    return out;
  }
}
