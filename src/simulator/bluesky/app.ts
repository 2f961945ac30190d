import { type Context, Hono } from 'hono';
import type { Clock } from '../../clock.ts';
import { plcDid } from './ids.ts';
import {
  type BlueskyFamily,
  BlueskyRateLimiter,
  DEFAULT_BLUESKY_LIMITS,
  DEFAULT_BLUESKY_WINDOW_MS,
} from './rate-limit.ts';
import type { BlueskyScenario } from './scenario.ts';
import { SessionStore } from './sessions.ts';
import { BlueskyState, feedKey } from './state.ts';
import { feedViewPost, postView, profileDetailed } from './views.ts';

export interface BlueskySimulatorOptions {
  scenario: BlueskyScenario;
  clock: Clock;
  /** The handle the stand-in's one login account answers to (default `tracker-demo.bsky.social`). */
  identifier?: string;
  appPassword: string;
  /** Requests per window per family, over bsky.social's (see rate-limit.ts). */
  rateLimits?: Partial<Record<BlueskyFamily, number>>;
  /** Length of a rate-limit window, real time (default 5 minutes). */
  rateLimitWindowMs?: number;
  /** Lifetime of an access token, real time (default 2 hours, as bsky.social's). */
  accessTtlMs?: number;
  /** Lifetime of a refresh token, real time (default 90 days). */
  refreshTtlMs?: number;
  /**
   * How deep a search cursor goes: past this many hits of one search, no further cursor is given, as
   * Bluesky's search stops paging deep result sets (default 1,000). Backfills slice time to get the rest.
   */
  searchDepth?: number;
  realNow?: () => number;
  onUnexpectedError?: (error: unknown) => void;
}

export interface BlueskyStats {
  /** requests that reached a method, by XRPC method */
  requests: Record<string, number>;
  sessionsCreated: number;
  sessionsRefreshed: number;
  rateLimited: number;
}

export interface BlueskySimulator {
  app: Hono;
  stats(): BlueskyStats;
  /** Expires every access token now: the next authenticated call meets ExpiredToken. */
  expireAccessTokens(): void;
  /** Expires refresh tokens too: only a new createSession helps. */
  expireSessions(): void;
}

/** The stand-in's login account, unless told otherwise. */
export const DEFAULT_IDENTIFIER = 'tracker-demo.bsky.social';

type Problem = { status: number; error: string; message: string };

class XrpcProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

const invalid = (message: string) => new XrpcProblem({ status: 400, error: 'InvalidRequest', message });

/**
 * The Bluesky stand-in as a Hono app: the XRPC methods the tracker calls, as bsky.social (sessions,
 * authenticated search) and the public AppView (feeds, profiles, posts) answer them, both on one origin.
 */
export function createBlueskySimulator(options: BlueskySimulatorOptions): BlueskySimulator {
  const realNow = options.realNow ?? Date.now;
  const state = new BlueskyState(options.scenario, options.clock);
  const handle = options.identifier ?? DEFAULT_IDENTIFIER;
  const sessions = new SessionStore(
    { did: plcDid(`stand-in:${handle}`), handle, appPassword: options.appPassword },
    options.accessTtlMs ?? 2 * 3_600_000,
    options.refreshTtlMs ?? 90 * 86_400_000,
    realNow,
  );
  const limiter = new BlueskyRateLimiter(
    { ...DEFAULT_BLUESKY_LIMITS, ...options.rateLimits },
    options.rateLimitWindowMs ?? DEFAULT_BLUESKY_WINDOW_MS,
    realNow,
  );
  const searchDepth = options.searchDepth ?? 1000;
  const requests = new Map<string, number>();
  let rateLimited = 0;
  const reportError = options.onUnexpectedError ?? ((error: unknown) => console.error(error));

  /** Counts the request, spends its family's budget, and answers with the RateLimit-* headers. */
  function xrpc(method: string, family: BlueskyFamily, handler: (c: Context) => Promise<unknown> | unknown) {
    return async (c: Context) => {
      requests.set(method, (requests.get(method) ?? 0) + 1);
      const verdict = limiter.take(family);
      for (const [name, value] of Object.entries(verdict.headers)) c.header(name, value);
      if (!verdict.allowed) {
        rateLimited++;
        return c.json({ error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, 429);
      }
      try {
        return c.json(await handler(c), 200);
      } catch (error) {
        if (!(error instanceof XrpcProblem)) throw error;
        const { status, error: name, message } = error.problem;
        return c.json({ error: name, message }, status as 400);
      }
    };
  }

  const bearer = (c: Context): string => {
    const header = c.req.header('authorization');
    if (!header)
      throw new XrpcProblem({ status: 401, error: 'AuthMissing', message: 'Authentication Required' });
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match?.[1])
      throw new XrpcProblem({ status: 400, error: 'InvalidToken', message: 'Malformed token' });
    return match[1];
  };
  const accessOf = (c: Context) => {
    const check = sessions.checkAccess(bearer(c));
    if (!check.ok) throw new XrpcProblem({ status: 400, error: check.error, message: check.message });
  };
  const sessionBody = (tokens: { accessJwt: string; refreshJwt: string }) => ({
    ...tokens,
    handle: sessions.account.handle,
    did: sessions.account.did,
    active: true,
    emailConfirmed: true,
  });

  const app = new Hono();
  app.post(
    '/xrpc/com.atproto.server.createSession',
    xrpc('com.atproto.server.createSession', 'session', async (c) => {
      const body = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      for (const field of ['identifier', 'password']) {
        if (typeof body?.[field] !== 'string') throw invalid(`Input must have the property "${field}"`);
      }
      if (!sessions.accepts(String(body?.identifier), String(body?.password))) {
        throw new XrpcProblem({
          status: 401,
          error: 'AuthenticationRequired',
          message: 'Invalid identifier or password',
        });
      }
      return sessionBody(sessions.create());
    }),
  );
  app.post(
    '/xrpc/com.atproto.server.refreshSession',
    xrpc('com.atproto.server.refreshSession', 'session', (c) => {
      const result = sessions.refresh(bearer(c));
      if (!result.ok) throw new XrpcProblem({ status: 400, error: result.error, message: result.message });
      if (!('tokens' in result)) throw new Error('refresh gave no tokens');
      return sessionBody(result.tokens);
    }),
  );
  app.get(
    '/xrpc/com.atproto.server.getSession',
    xrpc('com.atproto.server.getSession', 'service', (c) => {
      accessOf(c);
      return {
        handle: sessions.account.handle,
        did: sessions.account.did,
        active: true,
        emailConfirmed: true,
      };
    }),
  );
  app.get(
    '/xrpc/app.bsky.feed.searchPosts',
    xrpc('app.bsky.feed.searchPosts', 'service', (c) => {
      accessOf(c);
      const q = c.req.query('q');
      if (!q) throw invalid('Error: Params must have the property "q"');
      const limit = limitParam(c.req.query('limit'), 25);
      const since = timeParam('since', c.req.query('since'), Number.NEGATIVE_INFINITY);
      const until = timeParam('until', c.req.query('until'), Number.POSITIVE_INFINITY);
      const sort = c.req.query('sort') ?? 'latest';
      if (sort !== 'latest' && sort !== 'top') throw invalid('Error: sort must be one of "top" or "latest"');
      const cursor = c.req.query('cursor');
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isInteger(offset) || offset < 0) throw invalid('Malformed cursor');
      const nowMs = state.nowMs();
      const hits = state.search(q, since, until, nowMs);
      // Offsets into a result set that new posts keep pushing down: a walk may see a hit twice.
      const end = Math.min(offset + limit, hits.length, searchDepth);
      const page = offset < end ? hits.slice(offset, end) : [];
      const more = end < Math.min(hits.length, searchDepth);
      return {
        ...(more ? { cursor: String(end) } : {}),
        hitsTotal: hits.length,
        posts: page.map((post) => postView(state, post, nowMs)),
      };
    }),
  );
  app.get(
    '/xrpc/app.bsky.feed.getAuthorFeed',
    xrpc('app.bsky.feed.getAuthorFeed', 'appview', (c) => {
      const actor = c.req.query('actor');
      if (!actor) throw invalid('Error: Params must have the property "actor"');
      const limit = limitParam(c.req.query('limit'), 50);
      const filter = c.req.query('filter') ?? 'posts_with_replies';
      const nowMs = state.nowMs();
      const account = state.resolveActor(actor, nowMs);
      if (!account) throw invalid('Profile not found');
      let entries = state.feed(account.did, nowMs);
      if (filter === 'posts_no_replies') entries = entries.filter((e) => e.repost || e.post.kind !== 'reply');
      else if (filter === 'posts_and_author_threads')
        entries = entries.filter(
          (e) => e.repost || !e.post.reply || e.post.reply.root.uri.includes(account.did),
        );
      else if (filter === 'posts_with_media' || filter === 'posts_with_video') entries = [];
      else if (filter !== 'posts_with_replies') throw invalid(`Error: filter must be a known value`);
      const cursor = c.req.query('cursor');
      if (cursor !== undefined) {
        const [time = '', cid = ''] = cursor.split('::');
        const ms = Date.parse(time);
        if (Number.isNaN(ms) || !cid) throw invalid('Malformed cursor');
        entries = entries.filter((e) => e.sortAt < ms || (e.sortAt === ms && feedKey(e) < cid));
      }
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return {
        ...(last && entries.length > limit
          ? { cursor: `${new Date(last.sortAt).toISOString()}::${feedKey(last)}` }
          : {}),
        feed: page.map((e) => feedViewPost(state, e.post, e.repost, nowMs)),
      };
    }),
  );
  app.get(
    '/xrpc/app.bsky.actor.getProfiles',
    xrpc('app.bsky.actor.getProfiles', 'appview', (c) => {
      const actors = c.req.queries('actors') ?? [];
      if (actors.length === 0) throw invalid('Error: Params must have the property "actors"');
      if (actors.length > 25) throw invalid('Error: actors must not have more than 25 elements');
      const nowMs = state.nowMs();
      const found = actors.flatMap((actor) => {
        const account = state.resolveActor(actor, nowMs);
        return account ? [profileDetailed(state, account, nowMs)] : [];
      });
      return { profiles: found };
    }),
  );
  app.get(
    '/xrpc/app.bsky.feed.getPosts',
    xrpc('app.bsky.feed.getPosts', 'appview', (c) => {
      const uris = c.req.queries('uris') ?? [];
      if (uris.length === 0) throw invalid('Error: Params must have the property "uris"');
      if (uris.length > 25) throw invalid('Error: uris must not have more than 25 elements');
      for (const uri of uris)
        if (!uri.startsWith('at://')) throw invalid('Error: uris/0 must be a valid at-uri');
      const nowMs = state.nowMs();
      const posts = uris.flatMap((uri) => {
        const post = state.post(uri, nowMs);
        return post ? [postView(state, post, nowMs)] : [];
      });
      return { posts };
    }),
  );
  app.notFound((c) => c.json({ error: 'MethodNotImplemented', message: 'Method Not Implemented' }, 501));
  app.onError((error, c) => {
    reportError(error);
    return c.json({ error: 'InternalServerError', message: 'Internal Server Error' }, 500);
  });

  return {
    app,
    stats: () => ({
      requests: Object.fromEntries(requests),
      sessionsCreated: sessions.created,
      sessionsRefreshed: sessions.refreshed,
      rateLimited,
    }),
    expireAccessTokens: () => sessions.expireAccess(),
    expireSessions: () => sessions.expireAll(),
  };
}

function limitParam(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw invalid('Error: limit must be an integer of at least 1');
  if (limit > 100) throw invalid('Error: limit can not be greater than 100');
  return limit;
}

/** A datetime, or a bare `YYYY-MM-DD` (midnight UTC), as searchPosts accepts them. */
function timeParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms))
    throw new XrpcProblem({ status: 400, error: 'BadQueryString', message: `Invalid ${name}: ${value}` });
  return ms;
}
