import http from 'node:http';
import https from 'node:https';
import { ApiResponseError, TwitterApi, type TwitterApiv2 } from 'twitter-api-v2';
import {
  classifyXError,
  rateLimitOf,
  XAuthError,
  XRateLimitError,
  XRequestError,
  XTransientError,
} from './errors.ts';
import { maxPageSize, postExpansions, postFields, userFields } from './fields.ts';
import type { RateLimit, XCounts, XLookup, XPage, XPost, XResponseEvent, XUsage, XUser } from './types.ts';
import { countsWire, usageWire } from './usage-wire.ts';
import { type EnvelopeWire, envelopeWire, mapEntries, toPost, toProblem, toUser } from './wire.ts';

export interface XClientOptions {
  bearerToken: string;
  /** e.g. https://api.x.com/2/ or the simulator's http://127.0.0.1:PORT/2/ */
  baseUrl: string;
  timeoutMs?: number;
  /**
   * Called once for every request sent, whatever came back (errors included), after the answer
   * is read: for metrics and logs. It must not throw; whatever it throws is ignored.
   */
  onResponse?: (event: XResponseEvent) => void;
}

export interface CountsParams {
  query: string;
  /** inclusive; unset: X's default, 7 days back (30 days for the archive's counts) */
  startTime?: Date;
  /** exclusive; unset: X's default, about now */
  endTime?: Date;
  /** only posts older than this id */
  untilId?: string;
  granularity?: 'minute' | 'hour' | 'day';
  /** the archive's counts come in pages of 31 days: the token of the next (older) page */
  nextToken?: string | null;
}

export interface ArchiveSearchParams {
  query: string;
  /** inclusive */
  startTime: Date;
  /** exclusive */
  endTime: Date;
  nextToken?: string | null;
  maxResults?: number;
}

export interface SearchParams {
  query: string;
  sinceId?: string | null;
  /** only posts older than this id: a backfill walks back from below what polls already hold */
  untilId?: string | null;
  nextToken?: string | null;
  maxResults?: number;
}

export interface TimelineParams {
  sinceId?: string | null;
  paginationToken?: string | null;
  maxResults?: number;
}

/** X's full-archive search allows one request a second per app. */
const archiveIntervalMs = 1000;

/**
 * The one place that talks to X. It drives pages one request at a time (twitter-api-v2's
 * paginators stop silently when a rate limit runs out), validates every payload, and returns
 * domain objects with the rate limit the response announced.
 */
export class XClient {
  readonly #v2: TwitterApiv2;
  readonly #timeoutMs: number;
  readonly #observers = new Set<(event: XResponseEvent) => void>();
  /** the last rate limit X announced, per endpoint */
  readonly #limits = new Map<string, RateLimit>();
  #lastArchiveMs = 0;
  /** requests sent, by `endpoint status` (status `error` when no answer came): for metrics and tests */
  readonly requests = new Map<string, number>();

  constructor(options: XClientOptions) {
    const base = new URL(options.baseUrl);
    // twitter-api-v2 always calls https.request; an http: base (the simulator) needs an http agent.
    const httpAgent =
      base.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
    const v2 = new TwitterApi(options.bearerToken, { httpAgent }).v2;
    // setPrefix is protected in the typings but is the documented way to change the base; v2 is cached, so it sticks.
    (v2 as unknown as { setPrefix(prefix: string): void }).setPrefix(base.href);
    this.#v2 = v2;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (options.onResponse) this.#observers.add(options.onResponse);
  }

  /** Calls `listener` after every request, like the `onResponse` option; returns its unsubscribe. */
  observeResponses(listener: (event: XResponseEvent) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** One page of recent search, newest first. */
  async searchRecent(params: SearchParams): Promise<XPage> {
    return this.#page('tweets/search/recent', {
      query: params.query,
      max_results: params.maxResults ?? maxPageSize.search,
      ...(params.sinceId ? { since_id: params.sinceId } : {}),
      ...(params.untilId ? { until_id: params.untilId } : {}),
      ...(params.nextToken ? { next_token: params.nextToken } : {}),
      'tweet.fields': postFields,
      'user.fields': userFields,
      expansions: postExpansions,
    });
  }

  /**
   * One page of the full-archive search (/2/tweets/search/all), newest first, between two instants.
   * X allows one request a second: the client spaces them itself rather than earn a 429.
   */
  async searchAll(params: ArchiveSearchParams): Promise<XPage> {
    await this.#paceArchive();
    try {
      return await this.#page('tweets/search/all', {
        query: params.query,
        start_time: params.startTime.toISOString(),
        end_time: params.endTime.toISOString(),
        max_results: params.maxResults ?? maxPageSize.archive,
        ...(params.nextToken ? { next_token: params.nextToken } : {}),
        'tweet.fields': postFields,
        'user.fields': userFields,
        expansions: postExpansions,
      });
    } finally {
      this.#lastArchiveMs = Date.now();
    }
  }

  /** One page of a user's timeline (reposts included), newest first. */
  async userTimeline(userId: string, params: TimelineParams = {}): Promise<XPage> {
    return this.#page(`users/${encodeURIComponent(userId)}/tweets`, {
      max_results: params.maxResults ?? maxPageSize.timeline,
      ...(params.sinceId ? { since_id: params.sinceId } : {}),
      ...(params.paginationToken ? { pagination_token: params.paginationToken } : {}),
      'tweet.fields': postFields,
      'user.fields': userFields,
      expansions: postExpansions,
    });
  }

  /** Up to 100 users by username; unknown and suspended ones come back as problems. */
  async usersByUsernames(usernames: string[]): Promise<XLookup<XUser>> {
    checkBatch(usernames);
    const { body, rateLimit } = await this.#get('users/by', {
      usernames: usernames.join(','),
      'user.fields': userFields,
    });
    return { ...lookup(body, toUser), rateLimit };
  }

  /** Up to 100 users by id. */
  async usersByIds(ids: string[]): Promise<XLookup<XUser>> {
    checkBatch(ids);
    const { body, rateLimit } = await this.#get('users', { ids: ids.join(','), 'user.fields': userFields });
    return { ...lookup(body, toUser), rateLimit };
  }

  /** Up to 100 posts by id, with their current metrics; deleted ones come back as problems. */
  async postsByIds(ids: string[]): Promise<XLookup<XPost> & { users: XUser[] }> {
    checkBatch(ids);
    const { body, rateLimit } = await this.#get('tweets', {
      ids: ids.join(','),
      'tweet.fields': postFields,
      'user.fields': userFields,
      expansions: postExpansions,
    });
    const users = mapEntries(body.includes?.users, toUser);
    const posts = lookup(body, toPost);
    return { ...posts, users: users.items, skipped: posts.skipped + users.skipped, rateLimit };
  }

  /** The project's posts read this month against its cap (X counts; not billed itself). */
  async usage(): Promise<XUsage> {
    const { data } = await this.#send('usage/tweets', {});
    const parsed = usageWire.safeParse(data);
    if (!parsed.success) throw unexpectedBody('/2/usage/tweets', parsed.error.issues[0]?.message);
    const usage = parsed.data.data;
    return {
      projectUsage: usage.project_usage,
      projectCap: usage.project_cap,
      capResetDays: usage.cap_reset_day ?? null,
    };
  }

  /** How many posts a query matches per bucket over the last 7 days (billed per request). */
  async countsRecent(params: CountsParams): Promise<XCounts> {
    return this.#counts('tweets/counts/recent', params);
  }

  /**
   * One page (31 days, the newest first) of how many posts a query matched in the full archive
   * (billed per request, like recent counts); `nextToken` leads to the older page.
   */
  async countsAll(params: CountsParams): Promise<XCounts> {
    return this.#counts('tweets/counts/all', params);
  }

  async #counts(endpoint: string, params: CountsParams): Promise<XCounts> {
    const { data } = await this.#send(endpoint, {
      query: params.query,
      granularity: params.granularity ?? 'hour',
      ...(params.startTime ? { start_time: params.startTime.toISOString() } : {}),
      ...(params.endTime ? { end_time: params.endTime.toISOString() } : {}),
      ...(params.untilId ? { until_id: params.untilId } : {}),
      ...(params.nextToken ? { next_token: params.nextToken } : {}),
    });
    const parsed = countsWire.safeParse(data);
    if (!parsed.success) throw unexpectedBody(endpointName(endpoint), parsed.error.issues[0]?.message);
    const buckets = parsed.data.data.map((bucket) => ({
      start: new Date(bucket.start),
      end: new Date(bucket.end),
      posts: bucket.post_count ?? bucket.tweet_count ?? 0,
    }));
    return {
      buckets,
      total: parsed.data.meta?.total_tweet_count ?? buckets.reduce((sum, bucket) => sum + bucket.posts, 0),
      nextToken: parsed.data.meta?.next_token ?? null,
    };
  }

  /**
   * Waits until a second has passed since the answer to the last archive search: X times the
   * requests' arrivals, which the network can bring closer than their departures, never closer
   * than the answer to the one before.
   */
  async #paceArchive(): Promise<void> {
    const waitMs = this.#lastArchiveMs + archiveIntervalMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  /**
   * Whether this app may search the full archive (pay-per-use and Enterprise): one request to
   * `/2/tweets/search/all` over ten seconds of March 2006, which holds no post, so nothing is read
   * or billed. X answers 403 client-not-enrolled to an app without it; `unknown` when the server
   * does not serve the endpoint (404), as some X-compatible servers.
   */
  async archiveSearchAccess(): Promise<'available' | 'not-available' | 'unknown'> {
    try {
      await this.#send('tweets/search/all', {
        query: 'from:XDevelopers',
        start_time: '2006-03-22T00:00:00.000Z',
        end_time: '2006-03-22T00:00:10.000Z',
        max_results: 10,
      });
      return 'available';
    } catch (error) {
      // 401 is a refused token, not an answer about the tier: the caller reports it.
      if (error instanceof XAuthError && !/ answered 401/.test(error.message)) return 'not-available';
      if (error instanceof XRequestError && / answered 404/.test(error.message)) return 'unknown';
      throw error;
    }
  }

  async #page(endpoint: string, query: Record<string, string | number>): Promise<XPage> {
    const { body, rateLimit } = await this.#get(endpoint, query);
    // X sends `meta` on every page, empty ones too: without it, the end of a walk cannot be told
    // from a broken answer, and taking it for the end would silently lose the pages after it.
    if (!body.meta) throw unexpectedBody(endpointName(endpoint), 'a page without meta');
    const posts = mapEntries(Array.isArray(body.data) ? body.data : [], toPost);
    const users = mapEntries(body.includes?.users, toUser);
    const problems = mapEntries(body.errors, toProblem);
    return {
      posts: posts.items,
      users: users.items,
      problems: problems.items,
      newestId: body.meta?.newest_id ?? null,
      oldestId: body.meta?.oldest_id ?? null,
      nextToken: body.meta?.next_token ?? null,
      skipped: posts.skipped + users.skipped + problems.skipped,
      rateLimit,
    };
  }

  /**
   * What X last said of this endpoint's window. Rate-limit windows are X's, in real time: compared
   * with the wall clock, never with the application clock (which replays in demo mode).
   */
  rateLimit(endpoint: string): RateLimit | null {
    return this.#limits.get(endpoint) ?? null;
  }

  #count(endpoint: string, status: number | string) {
    const key = `${endpoint} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  #observe(event: XResponseEvent) {
    for (const observer of this.#observers) {
      try {
        observer(event);
      } catch {
        // An observer is for metrics: it never changes what a request does.
      }
    }
  }

  async #get(endpoint: string, query: Record<string, string | number>) {
    const { data, rateLimit } = await this.#send(endpoint, query);
    const parsed = envelopeWire.safeParse(data);
    if (!parsed.success) throw unexpectedBody(endpointName(endpoint), parsed.error.issues[0]?.message);
    return { body: parsed.data, rateLimit };
  }

  /** Sends one GET, unless the endpoint's window is known spent; returns the raw body. */
  async #send(endpoint: string, query: Record<string, string | number>) {
    const name = endpointName(endpoint);
    // Spent window: do not send a request that can only earn a 429. The caller waits for the reset.
    const known = this.#limits.get(name);
    if (known && known.remaining <= 0 && known.resetAt.getTime() > Date.now()) {
      throw new XRateLimitError(
        `X ${name}: rate limit spent until ${known.resetAt.toISOString()}`,
        known.resetAt,
      );
    }
    const startedAt = performance.now();
    let response: Awaited<ReturnType<TwitterApiv2['get']>>;
    try {
      response = await this.#v2.get(endpoint, query, { fullResponse: true, timeout: this.#timeoutMs });
    } catch (error) {
      const status = error instanceof ApiResponseError ? error.code : 'error';
      this.#count(name, status);
      const failure = classifyXError(error, name);
      if (failure instanceof XRateLimitError) {
        this.#limits.set(name, { limit: known?.limit ?? 0, remaining: 0, resetAt: failure.resetAt });
      }
      this.#observe({
        endpoint: name,
        status,
        rateLimit: error instanceof ApiResponseError ? rateLimitOf(error.rateLimit) : null,
        durationMs: performance.now() - startedAt,
      });
      throw failure;
    }
    this.#count(name, 200);
    const rateLimit = rateLimitOf(response.rateLimit);
    if (rateLimit) this.#limits.set(name, rateLimit);
    this.#observe({ endpoint: name, status: 200, rateLimit, durationMs: performance.now() - startedAt });
    return { data: response.data as unknown, rateLimit };
  }
}

function lookup<T>(body: EnvelopeWire, map: (raw: unknown) => T | null) {
  const entries = Array.isArray(body.data) ? body.data : body.data ? [body.data] : [];
  const items = mapEntries(entries, map);
  const problems = mapEntries(body.errors, toProblem);
  return { items: items.items, problems: problems.items, skipped: items.skipped + problems.skipped };
}

function unexpectedBody(endpoint: string, issue: string | undefined): XTransientError {
  return new XTransientError(`X ${endpoint} sent an unexpected body: ${issue ?? 'unreadable'}`);
}

function checkBatch(values: string[]): void {
  if (values.length === 0 || values.length > maxPageSize.lookup) {
    throw new RangeError(`X lookups take 1 to ${maxPageSize.lookup} values, got ${values.length}`);
  }
}

/** users/123/tweets → users/:id/tweets, so logs and metrics group by endpoint. */
function endpointName(endpoint: string): string {
  return `/2/${endpoint.replace(/users\/\d+\//, 'users/:id/')}`;
}
