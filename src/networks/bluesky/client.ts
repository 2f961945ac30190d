import { AtpAgent, type AtpSessionData, XRPCError } from '@atproto/api';
import type { NetworkAccount, NetworkPost, RateLimitState } from '../types.ts';
import { BlueskyAuthError, classifyBlueskyError, rateLimitOf, SESSION_ERRORS } from './errors.ts';
import { type BlueskyProblem, type Mapped, toAccount, toFeedItem, toPost } from './wire.ts';

/** The lexicons' ceilings: searchPosts and getAuthorFeed pages, getProfiles actors, getPosts URIs. */
export const MAX_PAGE_SIZE = 100;
export const MAX_LOOKUP_SIZE = 25;

export interface BlueskyClientOptions {
  /** BLUESKY_IDENTIFIER: a handle, DID or email */
  identifier: string;
  /** BLUESKY_APP_PASSWORD: an app password, never the account's own; it is never logged */
  appPassword: string;
  /** BLUESKY_SERVICE: where sessions are made and search is asked (default https://bsky.social) */
  service: string;
  /** BLUESKY_PUBLIC_API: the public AppView for feeds, profiles and posts (https://public.api.bsky.app) */
  publicApi: string;
  timeoutMs?: number;
  /** A session saved earlier (see onSession): reused instead of a createSession, which is tightly limited. */
  session?: AtpSessionData;
  /** Called whenever the session is made, refreshed or lost, so it can be kept across restarts. */
  onSession?: (session: AtpSessionData | undefined) => void;
  /** Called once per HTTP answer (or failure), after it is read: for metrics and logs; must not throw. */
  onResponse?: (event: BlueskyResponseEvent) => void;
  /** The fetch to send requests with (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

export interface BlueskyResponseEvent {
  /** the XRPC method, e.g. app.bsky.feed.searchPosts */
  method: string;
  /** HTTP status; 0 when no answer came */
  status: number;
  rateLimit: RateLimitState | null;
  durationMs: number;
}

export interface SearchParams {
  /** e.g. `#OGP16`: a tag term matches the tag facets and `#words` of posts */
  query: string;
  /** inclusive, on the post's sortAt */
  since?: Date;
  /** exclusive */
  until?: Date;
  cursor?: string | null;
  limit?: number;
}

export interface FeedParams {
  /** a DID (preferred: it survives renames) or a handle */
  actor: string;
  cursor?: string | null;
  limit?: number;
}

export interface BlueskyPage {
  posts: NetworkPost[];
  /** authors of the posts (reposters and reposted authors included), without follower counts */
  accounts: NetworkAccount[];
  /** null at the end; a search cursor may end before the result set does */
  cursor: string | null;
  /** entries left out because their record is not a valid post */
  problems: BlueskyProblem[];
  rateLimit: RateLimitState | null;
}

export interface BlueskyLookup<T> {
  found: T[];
  /** asked for and not returned: deleted posts, unknown or renamed-away handles, taken-down accounts */
  missing: string[];
  problems: BlueskyProblem[];
}

/**
 * The one place that talks to Bluesky, through @atproto/api (which checks every answer against the
 * lexicons). Search goes through the session's service, since the public AppView refuses anonymous
 * search; feeds, profiles and posts go to the public AppView and spend none of the account's budget.
 * The session is made once, refreshed by @atproto/api on ExpiredToken, and made again only when the
 * refresh token itself is gone.
 */
export class BlueskyClient {
  readonly #options: BlueskyClientOptions;
  readonly #session: AtpAgent;
  readonly #public: AtpAgent;
  readonly #limits = new Map<string, RateLimitState>();
  #login: Promise<void> | undefined;

  constructor(options: BlueskyClientOptions) {
    this.#options = options;
    const fetch = this.#observedFetch(options.fetch ?? globalThis.fetch, options.timeoutMs ?? 30_000);
    this.#session = new AtpAgent({
      service: options.service,
      fetch,
      persistSession: (_event, session) => options.onSession?.(session),
    });
    this.#public = new AtpAgent({ service: options.publicApi, fetch });
  }

  /** The last `RateLimit-*` state a method announced (e.g. `app.bsky.feed.searchPosts`). */
  rateLimit(method: string): RateLimitState | null {
    return this.#limits.get(method) ?? null;
  }

  async searchPosts(params: SearchParams): Promise<BlueskyPage> {
    const method = 'app.bsky.feed.searchPosts';
    const res = await this.#withSession(method, () =>
      this.#session.app.bsky.feed.searchPosts({
        q: params.query,
        sort: 'latest',
        limit: pageSize(params.limit),
        ...(params.since ? { since: params.since.toISOString() } : {}),
        ...(params.until ? { until: params.until.toISOString() } : {}),
        ...(params.cursor ? { cursor: params.cursor } : {}),
      }),
    );
    const mapped = res.data.posts.map(toPost);
    const authors = res.data.posts.map((post) => post.author);
    return page(mapped, authors, res.data.cursor, this.rateLimit(method));
  }

  /** The actor's posts, replies and reposts, newest first (reposts by the time they were made). */
  async getAuthorFeed(params: FeedParams): Promise<BlueskyPage> {
    const method = 'app.bsky.feed.getAuthorFeed';
    const res = await this.#call(method, () =>
      this.#public.app.bsky.feed.getAuthorFeed({
        actor: params.actor,
        limit: pageSize(params.limit),
        filter: 'posts_with_replies',
        ...(params.cursor ? { cursor: params.cursor } : {}),
      }),
    );
    const feed = res.data.feed;
    const authors = feed.flatMap((item) => {
      const reason = item.reason as { by?: Parameters<typeof toAccount>[0] } | undefined;
      return reason?.by ? [item.post.author, reason.by] : [item.post.author];
    });
    return page(feed.map(toFeedItem), authors, res.data.cursor, this.rateLimit(method));
  }

  /** Profiles with follower counts, 25 actors per request; actors Bluesky does not know are `missing`. */
  async getProfiles(actors: readonly string[]): Promise<BlueskyLookup<NetworkAccount>> {
    const found: NetworkAccount[] = [];
    for (const batch of batches(actors)) {
      const res = await this.#call('app.bsky.actor.getProfiles', () =>
        this.#public.app.bsky.actor.getProfiles({ actors: batch }),
      );
      found.push(...res.data.profiles.map(toAccount));
    }
    const seen = new Set(found.flatMap((account) => [account.id, account.handle.toLowerCase()]));
    return {
      found,
      missing: actors.filter((actor) => !seen.has(actor.toLowerCase()) && !seen.has(actor)),
      problems: [],
    };
  }

  /** Posts with fresh counts, 25 URIs per request; deleted or hidden posts are `missing`. */
  async getPosts(uris: readonly string[]): Promise<BlueskyLookup<NetworkPost>> {
    const found: NetworkPost[] = [];
    const problems: BlueskyProblem[] = [];
    for (const batch of batches(uris)) {
      const res = await this.#call('app.bsky.feed.getPosts', () =>
        this.#public.app.bsky.feed.getPosts({ uris: batch }),
      );
      for (const mapped of res.data.posts.map(toPost)) {
        if (mapped.ok) found.push(mapped.value);
        else problems.push(mapped.problem);
      }
    }
    const seen = new Set([...found.map((post) => post.id), ...problems.map((problem) => problem.uri)]);
    return { found, missing: uris.filter((uri) => !seen.has(uri)), problems };
  }

  async #call<T>(method: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw classifyBlueskyError(error, method);
    }
  }

  /**
   * Sends with the session, making it first if there is none. @atproto/api already refreshes an expired
   * access token and retries; when the refresh token is gone as well, one fresh createSession is tried.
   */
  async #withSession<T>(method: string, send: () => Promise<T>): Promise<T> {
    await this.#ensureSession(false);
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof XRPCError && SESSION_ERRORS.has(error.error))) {
        throw classifyBlueskyError(error, method);
      }
    }
    await this.#ensureSession(true);
    return this.#call(method, send);
  }

  async #ensureSession(renew: boolean): Promise<void> {
    if (this.#session.session && !renew) return;
    // Concurrent callers share one createSession: Bluesky allows few of them (30 per 5 minutes).
    this.#login ??= this.#startSession(renew).finally(() => {
      this.#login = undefined;
    });
    await this.#login;
  }

  async #startSession(renew: boolean): Promise<void> {
    const saved = this.#options.session;
    try {
      if (saved && !renew && !this.#session.session) {
        try {
          await this.#session.resumeSession(saved);
          return;
        } catch {
          // A saved session that no longer refreshes: fall through to a new one.
        }
      }
      await this.#session.login({
        identifier: this.#options.identifier,
        password: this.#options.appPassword,
      });
    } catch (error) {
      const classified = classifyBlueskyError(error, 'com.atproto.server.createSession');
      throw classified.transient
        ? classified
        : new BlueskyAuthError(
            `Bluesky refused a session for ${this.#options.identifier}: ${classified.message}`,
            classified.code,
          );
    }
  }

  /** Reads every answer's `RateLimit-*` headers and reports it, whichever agent sent it. */
  #observedFetch(base: typeof globalThis.fetch, timeoutMs: number): typeof globalThis.fetch {
    return async (input, init) => {
      const request = new Request(input, init);
      const method = new URL(request.url).pathname.replace(/^.*\/xrpc\//, '');
      const started = performance.now();
      let status = 0;
      let rateLimit: RateLimitState | null = null;
      try {
        const response = await base(request, { signal: AbortSignal.timeout(timeoutMs) });
        status = response.status;
        rateLimit = rateLimitOf(Object.fromEntries(response.headers.entries()));
        if (rateLimit) this.#limits.set(method, rateLimit);
        return response;
      } finally {
        try {
          this.#options.onResponse?.({ method, status, rateLimit, durationMs: performance.now() - started });
        } catch {
          // An observer's failure must not fail the request.
        }
      }
    };
  }
}

function page(
  mapped: Mapped<NetworkPost>[],
  authors: Parameters<typeof toAccount>[0][],
  cursor: string | undefined,
  rateLimit: RateLimitState | null,
): BlueskyPage {
  const posts: NetworkPost[] = [];
  const problems: BlueskyProblem[] = [];
  for (const entry of mapped) {
    if (entry.ok) posts.push(entry.value);
    else problems.push(entry.problem);
  }
  const accounts = new Map<string, NetworkAccount>();
  for (const author of authors) accounts.set(author.did, toAccount(author));
  return { posts, accounts: [...accounts.values()], cursor: cursor || null, problems, rateLimit };
}

function pageSize(limit: number | undefined): number {
  const size = limit ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw new RangeError(`a Bluesky page holds 1 to ${MAX_PAGE_SIZE} posts, not ${size}`);
  return size;
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_LOOKUP_SIZE) out.push(items.slice(i, i + MAX_LOOKUP_SIZE));
  return out;
}
