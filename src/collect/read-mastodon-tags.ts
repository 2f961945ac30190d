import type { MastodonClient } from '../networks/mastodon/client.ts';
import {
  MastodonNotFoundError,
  MastodonRateLimitError,
  MastodonTimelineClosedError,
  MastodonTransientError,
} from '../networks/mastodon/errors.ts';
import { parseInstance } from '../networks/mastodon/instances.ts';
import type { HomeBatch, MastodonPage } from '../networks/mastodon/types.ts';
import type { EngagementCounts, NetworkAccount, NetworkPost } from '../networks/types.ts';

/**
 * A campaign's Mastodon side, read once: its tags on each of its instances back to the window's start,
 * every status once (by uri, however many instances hold it), counts refreshed from each status's home
 * instance and authors' followers from theirs. Knows no storage and no wire format; the queue workers,
 * the CLI and tests call it alike.
 *
 * Instances are read side by side: one that limits or refuses never holds the others. A 429 is waited
 * out until the instance's reset; a refusal (tag timelines closed to anonymous readers) ends that
 * instance's walk with one line saying how to open it; transient failures are retried with backoff.
 */
export interface MastodonTagReadOptions {
  tags: readonly string[];
  /** host names or base URLs, as in the campaign file */
  instances: readonly string[];
  /**
   * Accounts (`user@domain`) whose boosts of campaign statuses count as their reposts: tag timelines
   * never list boosts, so these are read from each account's timeline on its home (the home and
   * watchlist accounts, as X's reposts come from their timelines).
   */
  accounts?: readonly string[];
  /** the window's start: the walk goes back until the statuses are older */
  since: Date;
  /** the window's end (exclusive); default: no end */
  until?: Date;
  /** attempts after a transient failure (default 4; waits 0.5, 1, 2, 4 s) */
  retries?: number;
  /** the longest rate-limit wait accepted before an instance is given up (default 15 minutes) */
  maxWaitMs?: number;
  onEvent?: (event: MastodonReadEvent) => void;
  sleep?: (ms: number) => Promise<void>;
}

export type MastodonReadEvent =
  | { kind: 'page'; instance: string; statuses: number }
  | { kind: 'wait'; instance: string; until: Date }
  | { kind: 'refused'; instance: string; message: string }
  | { kind: 'failed'; instance: string; message: string };

export interface InstanceReport {
  instance: string;
  pages: number;
  /** statuses of the window this instance served (before deduplication) */
  statuses: number;
  waits: number;
  /** requests tried again after a transient failure (5xx, timeout, dropped connection) */
  retries: number;
  refused: string | null;
  failed: string | null;
}

export interface MastodonTagReadResult {
  posts: NetworkPost[];
  /** authors of `posts`, as their home instances count them */
  accounts: NetworkAccount[];
  instances: InstanceReport[];
  /** statuses whose counts came from their home, and those that kept the best copy seen (see src/networks/mastodon/home.ts) */
  homeCounts: { fresh: number; kept: number };
  /** authors whose home could not be read: their counts are a copy's */
  staleAccounts: number;
}

export async function readMastodonTags(
  client: MastodonClient,
  options: MastodonTagReadOptions,
): Promise<MastodonTagReadResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retries = options.retries ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60 * 1000;
  const emit = (event: MastodonReadEvent) => options.onEvent?.(event);
  const reports = new Map<string, InstanceReport>();
  const report = (instance: string) => {
    const name = parseInstance(instance).name;
    let entry = reports.get(name);
    if (!entry) {
      entry = { instance: name, pages: 0, statuses: 0, waits: 0, retries: 0, refused: null, failed: null };
      reports.set(name, entry);
    }
    return entry;
  };

  /** One request, with 429s waited out and transient failures retried. */
  async function call<T>(instance: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (error instanceof MastodonRateLimitError) {
          const waitMs = Math.max(0, error.resetAt.getTime() - Date.now()) + 50;
          if (waitMs > maxWaitMs) throw error;
          report(instance).waits++;
          emit({ kind: 'wait', instance: report(instance).instance, until: error.resetAt });
          await sleep(waitMs);
          attempt--;
          continue;
        }
        if (error instanceof MastodonTransientError && attempt < retries) {
          report(instance).retries++;
          await sleep(500 * 2 ** attempt);
          continue;
        }
        throw error;
      }
    }
  }

  const posts = new Map<string, NetworkPost>();
  const seenAccounts = new Map<string, NetworkAccount>();
  const inWindow = (post: NetworkPost) =>
    post.createdAt >= options.since && (!options.until || post.createdAt < options.until);

  async function walk(instance: string): Promise<void> {
    const entry = report(instance);
    let tags = [...options.tags];
    let page: MastodonPage | null = null;
    // An instance that never saw the first tag answers 404 for the whole walk: read the others without it.
    while (!page && tags.length > 0) {
      try {
        page = await call(instance, () => client.tagTimeline(instance, { tags }));
      } catch (error) {
        if (!(error instanceof MastodonNotFoundError)) throw error;
        tags = tags.slice(1);
      }
    }
    while (page) {
      entry.pages++;
      let kept = 0;
      for (const post of page.posts) {
        if (!inWindow(post)) continue;
        kept++;
        const known = posts.get(post.id);
        if (known) known.counts = highest(known.counts, post.counts);
        else posts.set(post.id, { ...post, counts: { ...post.counts } });
      }
      for (const account of page.accounts)
        if (!seenAccounts.has(account.id)) seenAccounts.set(account.id, account);
      entry.statuses += kept;
      emit({ kind: 'page', instance: entry.instance, statuses: kept });
      const next: string | null = page.next;
      if (!next || (page.oldestCreatedAt && page.oldestCreatedAt < options.since)) break;
      page = await call(instance, () => client.tagTimelineAt(instance, next));
    }
  }

  const campaignTags = new Set(options.tags.map((tag) => tag.replace(/^#/, '').toLowerCase()));
  async function boostsOf(handle: string): Promise<void> {
    const home = client.homeInstanceOfHandle(handle);
    let page: MastodonPage | null = await call(home, () => client.accountTimeline(handle));
    while (page) {
      const byId = new Map(page.posts.map((post) => [post.id, post]));
      for (const post of page.posts) {
        if (post.kind !== 'repost' || !inWindow(post) || posts.has(post.id)) continue;
        const boosted = post.referencedPostId ? byId.get(post.referencedPostId) : undefined;
        if (boosted?.hashtags.some((tag) => campaignTags.has(tag))) posts.set(post.id, post);
      }
      for (const account of page.accounts)
        if (!seenAccounts.has(account.id)) seenAccounts.set(account.id, account);
      const next: string | null = page.next;
      if (!next || (page.oldestCreatedAt && page.oldestCreatedAt < options.since)) break;
      page = await call(home, () => client.accountTimelineAt(home, next));
    }
  }

  await Promise.all([
    ...(options.accounts ?? []).map(async (handle) => {
      try {
        await boostsOf(handle);
      } catch (error) {
        emit({
          kind: 'failed',
          instance: handle,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }),
    ...options.instances.map(async (instance) => {
      try {
        await walk(instance);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof MastodonTimelineClosedError) {
          report(instance).refused = message;
          emit({ kind: 'refused', instance: report(instance).instance, message });
        } else {
          report(instance).failed = message;
          emit({ kind: 'failed', instance: report(instance).instance, message });
        }
      }
    }),
  ]);

  // Counts from each status's home instance; homes are read side by side, batches in turn.
  // A boost's own counts are always 0 on Mastodon; only statuses are read again.
  const statuses = [...posts.values()].filter((post) => post.kind !== 'repost');
  const { batches } = client.planHomeReads(statuses);
  let fresh = 0;
  /** authors as their homes count them, from the home copies of their statuses */
  const homeAccounts = new Map<string, NetworkAccount>();
  const byHome = new Map<string, HomeBatch[]>();
  for (const batch of batches) byHome.set(batch.instance, [...(byHome.get(batch.instance) ?? []), batch]);
  await Promise.all(
    [...byHome].map(async ([home, list]) => {
      for (const batch of list) {
        try {
          const { counts, authors } = await call(home, () => client.homeCounts(batch));
          for (const [uri, account] of authors) homeAccounts.set(uri, account);
          for (const [uri, value] of counts) {
            const post = posts.get(uri);
            if (post) {
              post.counts = value;
              fresh++;
            }
          }
        } catch (error) {
          report(home).failed = error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );

  // Followers from each author's home instance (its API host is its uri's host), when the home copies of
  // their statuses did not already bring them (a booster who wrote no campaign status, a failed batch).
  const authors = new Set([...posts.values()].map((post) => post.authorId));
  const accounts: NetworkAccount[] = [];
  let staleAccounts = 0;
  await Promise.all(
    [...authors].map(async (uri) => {
      const fromHome = homeAccounts.get(uri);
      if (fromHome) {
        accounts.push(fromHome);
        return;
      }
      const seen = seenAccounts.get(uri);
      if (!seen) return;
      let home = seen.handle;
      try {
        home = client.homeInstanceOf(seen.id);
        accounts.push(await call(home, () => client.homeAccount(seen)));
      } catch (error) {
        // The copy seen on a timeline stands in, and the run says so.
        staleAccounts++;
        report(home).failed = error instanceof Error ? error.message : String(error);
        accounts.push(seen);
      }
    }),
  );
  accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    posts: [...posts.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    accounts,
    instances: [...reports.values()],
    homeCounts: { fresh, kept: statuses.length - fresh },
    staleAccounts,
  };
}

/** Copies on two instances disagree; where the home cannot be read, the highest count is the freshest. */
function highest(a: EngagementCounts, b: EngagementCounts): EngagementCounts {
  return {
    like: Math.max(a.like, b.like),
    repost: Math.max(a.repost, b.repost),
    reply: Math.max(a.reply, b.reply),
    quote: Math.max(a.quote, b.quote),
    bookmark: a.bookmark === null || b.bookmark === null ? null : Math.max(a.bookmark, b.bookmark),
    impression: a.impression === null || b.impression === null ? null : Math.max(a.impression, b.impression),
  };
}
