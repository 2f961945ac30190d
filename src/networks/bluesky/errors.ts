import { XRPCError } from '@atproto/api';
import type { RateLimitState } from '../types.ts';

/**
 * Bluesky failures sorted by what the caller should do about them (XRPC errors are `{error, message}`
 * bodies; `code` keeps the `error` name):
 * - BlueskyAuthError: the identifier or app password is wrong, or the account is taken down; retrying
 *   cannot help (a job fails for good).
 * - BlueskyRateLimitError: wait until `resetAt` (from `RateLimit-Reset`), then go on.
 * - BlueskyRequestError: Bluesky refused the parameters (InvalidRequest, BadQueryString, an unknown or
 *   blocked actor); a bug or bad input on our side, not retried.
 * - BlueskyTransientError: 5xx, timeouts, dropped connections, unreadable or lexicon-invalid bodies;
 *   retry with backoff.
 */
export abstract class BlueskyError extends Error {
  abstract readonly transient: boolean;
  constructor(
    message: string,
    /** the XRPC `error` name, e.g. `ExpiredToken`; `Unknown` when no answer came */
    readonly code: string,
  ) {
    super(message);
  }
}

export class BlueskyAuthError extends BlueskyError {
  override name = 'BlueskyAuthError';
  readonly transient = false;
}

export class BlueskyRateLimitError extends BlueskyError {
  override name = 'BlueskyRateLimitError';
  readonly transient = true;
  constructor(
    message: string,
    code: string,
    readonly resetAt: Date,
  ) {
    super(message, code);
  }
}

export class BlueskyRequestError extends BlueskyError {
  override name = 'BlueskyRequestError';
  readonly transient = false;
}

export class BlueskyTransientError extends BlueskyError {
  override name = 'BlueskyTransientError';
  readonly transient = true;
}

/** Errors of a session whose tokens are no longer good: a fresh createSession may fix them. */
export const SESSION_ERRORS: ReadonlySet<string> = new Set([
  'ExpiredToken',
  'InvalidToken',
  'AuthMissing',
  'AuthRequired',
]);

/**
 * XRPC's status for a 200 whose body fails the lexicon (its XRPCInvalidResponseError is not exported by
 * @atproto/api, so the status tells it apart).
 */
const INVALID_RESPONSE = 2;

const AUTH_ERRORS = new Set(['AuthenticationRequired', 'AccountTakedown', 'AuthFactorTokenRequired']);

/** Turns whatever @atproto/api threw into one of our named errors. */
export function classifyBlueskyError(error: unknown, method: string): BlueskyError {
  if (error instanceof XRPCError && error.status === INVALID_RESPONSE) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new BlueskyTransientError(
      `Bluesky ${method} answered a body the lexicon rejects: ${cause}`,
      'InvalidResponse',
    );
  }
  if (error instanceof XRPCError) {
    const status = error.status;
    const code = error.error || 'Unknown';
    const what = `Bluesky ${method} answered ${status > 99 ? status : 'nothing'}${code ? ` ${code}` : ''}${
      error.message && error.message !== code ? `: ${error.message}` : ''
    }`;
    if (status === 429 || code === 'RateLimitExceeded') {
      return new BlueskyRateLimitError(what, code, resetOf(error.headers));
    }
    if (status === 401 || status === 403 || AUTH_ERRORS.has(code) || SESSION_ERRORS.has(code)) {
      return new BlueskyAuthError(`${what} — check BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD`, code);
    }
    if (status >= 400 && status < 500) return new BlueskyRequestError(what, code);
    return new BlueskyTransientError(what, code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BlueskyTransientError(`Bluesky ${method} failed: ${message}`, 'Unknown');
}

type Headers = Readonly<Record<string, string | undefined>> | undefined;

/** `RateLimit-Reset` is epoch seconds; a missing one means "try again in a minute". */
function resetOf(headers: Headers): Date {
  const seconds = Number(header(headers, 'ratelimit-reset'));
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(Date.now() + 60_000);
}

/** The `RateLimit-*` headers of an answer (XRPC hands them over lower-cased), or null without them. */
export function rateLimitOf(headers: Headers): RateLimitState | null {
  const limit = Number(header(headers, 'ratelimit-limit'));
  const remaining = Number(header(headers, 'ratelimit-remaining'));
  const reset = Number(header(headers, 'ratelimit-reset'));
  if (![limit, remaining, reset].every(Number.isFinite) || header(headers, 'ratelimit-limit') === undefined)
    return null;
  return { limit, remaining, resetAt: new Date(reset * 1000) };
}

function header(headers: Headers, name: string): string | undefined {
  if (!headers) return undefined;
  if (name in headers) return headers[name];
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
