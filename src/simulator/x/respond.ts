import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  clientNotEnrolledBody,
  JSON_UTF8,
  PROBLEM_JSON,
  SERVICE_UNAVAILABLE_BODY,
  TOO_MANY_REQUESTS_BODY,
  UNAUTHORIZED_BODY,
  usageCappedBody,
} from './problems.ts';
import type { EndpointName } from './rate-limit.ts';
import type { SimulatorState } from './state.ts';

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
 * Everything between the bearer check and a route's handler, in X's order: transport faults (no budget
 * spent, no rate-limit headers), the tier's enrolment (403), the endpoint's 15-minute window (its headers
 * then ride on whatever the response turns out to be: 200, 400, 429…), the monthly post cap.
 */
export function gate(state: SimulatorState, family: EndpointName): MiddlewareHandler {
  return async (c, next) => {
    const atMs = state.realNow();
    const refused = await admit(state, family, c, next);
    const response = refused ?? c.res;
    state.logRequest({
      atMs,
      family,
      status: response === RESPONSE_ALREADY_SENT ? 0 : response.status,
      remaining: numberOrNull(response.headers.get('x-rate-limit-remaining')),
      reset: numberOrNull(response.headers.get('x-rate-limit-reset')),
    });
    return refused;
  };
}

function numberOrNull(header: string | null): number | null {
  return header === null ? null : Number(header);
}

async function admit(
  state: SimulatorState,
  family: EndpointName,
  c: Context,
  next: () => Promise<void>,
): Promise<Response | undefined> {
  const { counters } = state;
  counters.requests.set(family, (counters.requests.get(family) ?? 0) + 1);
  const fault = state.transport.decide(family);
  if (fault.delayMs > 0) {
    counters.faults.slowed++;
    await sleep(fault.delayMs);
  }
  if (fault.unavailable) {
    counters.faults.unavailable++;
    return c.body(SERVICE_UNAVAILABLE_BODY, 503, { 'content-type': JSON_UTF8 });
  }
  if (fault.drop) {
    counters.faults.dropped++;
    return dropConnection(c);
  }
  if (fault.stormResetMs > 0) {
    counters.faults.stormed++;
    c.header('x-rate-limit-limit', String(state.limiter.limitOf(family)));
    c.header('x-rate-limit-remaining', '0');
    c.header('x-rate-limit-reset', String(Math.ceil((state.realNow() + fault.stormResetMs) / 1000)));
    return sendProblem(c, TOO_MANY_REQUESTS_BODY, 429);
  }
  if (state.tier.notEnrolled.has(family)) {
    return sendProblem(c, clientNotEnrolledBody(state.accountId), 403);
  }
  const verdict = state.limiter.take(family, `${c.req.method} ${c.req.routePath}`);
  c.header('x-rate-limit-limit', String(verdict.limit));
  c.header('x-rate-limit-remaining', String(verdict.remaining));
  c.header('x-rate-limit-reset', String(verdict.reset));
  if (!verdict.allowed) {
    counters.rateLimited++;
    return sendProblem(c, TOO_MANY_REQUESTS_BODY, 429);
  }
  if (state.usage.counts(family) && state.usage.capped()) {
    counters.usageCapped++;
    return sendProblem(c, usageCappedBody(state.accountId, state.tier.productName), 429);
  }
  await next();
  if (fault.malform !== null && c.res.status === 200) {
    const damaged = await malformOneEntry(c.res, fault.malform);
    if (damaged) {
      counters.faults.malformedIds.push(damaged.id);
      c.res = damaged.response;
    }
  }
  if (fault.truncate && c.res.status === 200) {
    counters.faults.truncated++;
    const text = await c.res.text();
    c.res = new Response(text.slice(0, Math.ceil(text.length / 2)), {
      status: 200,
      headers: c.res.headers,
    });
  }
  return undefined;
}

/**
 * Closes the client's connection without a word. Under the Node server that is the socket (and the server
 * is told not to answer); without one (`app.request()` in tests) a network-error Response (status 0).
 */
function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return Response.error();
  incoming.socket.destroy();
  return RESPONSE_ALREADY_SENT;
}

/**
 * One entry of the body's `data` loses the fields a collector needs (a post its author and metrics, a
 * user its username), and fields X never documented appear beside it and in the envelope.
 */
async function malformOneEntry(
  response: Response,
  pick: number,
): Promise<{ id: string; response: Response } | undefined> {
  const body = (await response.clone().json()) as { data?: unknown };
  const entries = Array.isArray(body.data) ? body.data : [];
  const entry = entries[Math.min(entries.length - 1, Math.floor(pick * entries.length))] as
    | Record<string, unknown>
    | undefined;
  if (!entry || typeof entry.id !== 'string') return undefined;
  if ('text' in entry) {
    delete entry.author_id;
    delete entry.public_metrics;
  } else {
    delete entry.username;
  }
  entry.unexpected_field = { note: 'not in the spec' };
  const damaged = { ...body, unexpected_envelope_field: [1, 2, 3] };
  return {
    id: entry.id,
    response: new Response(JSON.stringify(damaged), { status: 200, headers: response.headers }),
  };
}
