import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { JSON_UTF8, PROBLEM_JSON, TOO_MANY_REQUESTS_BODY, UNAUTHORIZED_BODY } from './problems.ts';
import type { EndpointName, RateLimiter } from './rate-limit.ts';

/** JSON with X's content type. Built by hand rather than with c.json() to control the exact bytes. */
export function sendJson(c: Context, body: unknown, status: ContentfulStatusCode = 200): Response {
  return c.body(JSON.stringify(body), status, { 'content-type': JSON_UTF8 });
}

/** An RFC 7807 problem body, already serialised (some must be byte-exact). */
export function sendProblem(c: Context, body: string, status: ContentfulStatusCode): Response {
  return c.body(body, status, { 'content-type': PROBLEM_JSON });
}

/** App-only bearer auth: a missing or wrong token gets X's 401, without rate-limit headers. */
export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const presented = /^bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (presented !== token) return sendProblem(c, UNAUTHORIZED_BODY, 401);
    await next();
  };
}

/**
 * Counts the request against its endpoint's window and sets X's headers, which then ride on the response
 * whatever it turns out to be (200, 400…); over the limit, answers 429 itself.
 */
export function rateLimited(limiter: RateLimiter, endpoint: EndpointName): MiddlewareHandler {
  return async (c, next) => {
    const verdict = limiter.take(endpoint);
    c.header('x-rate-limit-limit', String(verdict.limit));
    c.header('x-rate-limit-remaining', String(verdict.remaining));
    c.header('x-rate-limit-reset', String(verdict.reset));
    if (!verdict.allowed) return sendProblem(c, TOO_MANY_REQUESTS_BODY, 429);
    await next();
  };
}
