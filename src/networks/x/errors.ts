import { ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import type { RateLimit } from './types.ts';

/**
 * X failures sorted by what the caller should do about them:
 * - XAuthError: the token or the access tier is wrong; retrying cannot help.
 * - XRateLimitError: wait until `resetAt`, then go on.
 * - XUsageCapError: the monthly cap is reached; waiting for the 15-minute window does not help.
 * - XRequestError: bad parameters; a bug or bad input on our side, not retried.
 * - XTransientError: 5xx, timeouts, dropped connections, unreadable bodies; retry with backoff.
 */
export class XAuthError extends Error {
  override name = 'XAuthError';
}

/**
 * 403 client-not-enrolled: the access tier does not include the endpoint (Basic has no archive
 * search). A kind of XAuthError; callers that can do without the endpoint tell it apart.
 */
export class XNotEnrolledError extends XAuthError {
  override name = 'XNotEnrolledError';
}

export class XRateLimitError extends Error {
  override name = 'XRateLimitError';
  constructor(
    message: string,
    readonly resetAt: Date,
  ) {
    super(message);
  }
}

export class XUsageCapError extends Error {
  override name = 'XUsageCapError';
}

export class XRequestError extends Error {
  override name = 'XRequestError';
}

export class XTransientError extends Error {
  override name = 'XTransientError';
}

export type XError = XAuthError | XRateLimitError | XUsageCapError | XRequestError | XTransientError;

/** Turns whatever twitter-api-v2 threw into one of our named errors. */
export function classifyXError(error: unknown, endpoint: string): XError {
  if (error instanceof ApiResponseError) {
    const detail = problemDetail(error.data);
    const what = `X ${endpoint} answered ${error.code}${detail ? `: ${detail}` : ''}`;
    if (error.code === 403 && /client-not-enrolled/.test(JSON.stringify(error.data ?? ''))) {
      return new XNotEnrolledError(`${what} — the access tier does not include ${endpoint}`);
    }
    if (error.code === 401 || error.code === 403) {
      return new XAuthError(`${what} — check X_BEARER_TOKEN and the access tier`);
    }
    if (error.code === 429) {
      if (/usage-capped|UsageCapExceeded/i.test(JSON.stringify(error.data ?? '')))
        return new XUsageCapError(what);
      return new XRateLimitError(what, resetOf(error.rateLimit?.reset));
    }
    if (error.code >= 400 && error.code < 500) return new XRequestError(what);
    return new XTransientError(what);
  }
  if (error instanceof ApiRequestError) {
    return new XTransientError(`X ${endpoint} unreachable: ${requestFailure(error)}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new XTransientError(`X ${endpoint} failed: ${message}`);
}

/**
 * Why the request got no answer. twitter-api-v2 1.29 stores the network error under `error` while its
 * `requestError` getter reads another key (undefined for a dropped connection or a timeout).
 */
function requestFailure(error: ApiRequestError): string {
  const cause =
    (error.requestError as Error | undefined) ??
    (error as unknown as { _options?: { error?: unknown } })._options?.error;
  return cause instanceof Error ? cause.message || cause.name : error.message;
}

function problemDetail(data: unknown): string {
  if (data && typeof data === 'object') {
    const body = data as { detail?: unknown; title?: unknown };
    if (typeof body.detail === 'string') return body.detail;
    if (typeof body.title === 'string') return body.title;
  }
  return '';
}

/** `x-rate-limit-reset` is epoch seconds; a missing one means "try again in a minute". */
export function resetOf(resetSeconds: number | undefined): Date {
  return resetSeconds && Number.isFinite(resetSeconds)
    ? new Date(resetSeconds * 1000)
    : new Date(Date.now() + 60_000);
}

export function rateLimitOf(
  rate: { limit: number; remaining: number; reset: number } | undefined,
): RateLimit | null {
  if (!rate || !Number.isFinite(rate.limit)) return null;
  return { limit: rate.limit, remaining: rate.remaining, resetAt: resetOf(rate.reset) };
}
