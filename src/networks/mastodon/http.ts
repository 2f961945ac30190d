import type { RateLimitState } from '../types.ts';
import {
  MastodonAuthError,
  MastodonNotFoundError,
  MastodonRateLimitError,
  MastodonRequestError,
  MastodonTimelineClosedError,
  MastodonTransientError,
} from './errors.ts';
import type { MastodonInstance } from './instances.ts';
import { errorWire } from './wire.ts';

export interface GetOptions {
  token: string | undefined;
  timeoutMs: number;
  /** every answer (or `error` when none came), before it is judged */
  onAnswer(status: number | 'error', rateLimit: RateLimitState | null): void;
}

/** One GET to an instance, its answer sorted into our named errors (see errors.ts). */
export async function getJson(
  target: MastodonInstance,
  url: URL,
  endpoint: string,
  options: GetOptions,
): Promise<{ body: unknown; headers: Headers }> {
  const { token } = options;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    options.onAnswer('error', null);
    // undici reports a dropped connection as `fetch failed` with the reason in `cause`.
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new MastodonTransientError(
      `${target.name} ${endpoint} unreachable: ${reason || 'connection failed'}`,
    );
  }
  const rateLimit = rateLimitOf(response.headers);
  options.onAnswer(response.status, rateLimit);
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    if (response.ok) {
      throw new MastodonTransientError(
        `${target.name} ${endpoint} answered ${response.status} with unreadable JSON`,
      );
    }
    body = null;
  }
  if (response.ok) return { body, headers: response.headers };
  const detail = errorWire.safeParse(body).data?.error;
  const what = `${target.name} ${endpoint} answered ${response.status}${detail ? ` "${detail}"` : ''}`;
  if (response.status === 429) {
    throw new MastodonRateLimitError(what, target.name, rateLimit?.resetAt ?? new Date(Date.now() + 60_000));
  }
  // Closed tag timelines answer 401 (Mastodon 4.x) or 422 (older servers), see the captures.
  if ((response.status === 401 || response.status === 422) && endpoint === 'tag-timeline' && !token) {
    const key = target.baseUrl === `https://${target.name}/` ? target.name : target.baseUrl;
    throw new MastodonTimelineClosedError(
      `${what}: ${target.name} keeps its tag timelines from anonymous readers; add ${key}=<token> to MASTODON_TOKENS`,
      target.name,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new MastodonAuthError(`${what}${token ? ': check the token for it in MASTODON_TOKENS' : ''}`);
  }
  if (response.status === 404 || response.status === 410) throw new MastodonNotFoundError(what);
  if (response.status >= 500) throw new MastodonTransientError(what);
  throw new MastodonRequestError(what);
}

/** `X-RateLimit-Reset` is an ISO 8601 instant (not epoch seconds as on X). */
function rateLimitOf(headers: Headers): RateLimitState | null {
  const limit = Number(headers.get('x-ratelimit-limit'));
  const remaining = Number(headers.get('x-ratelimit-remaining'));
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  if (
    !headers.has('x-ratelimit-limit') ||
    !Number.isFinite(limit) ||
    !Number.isFinite(remaining) ||
    Number.isNaN(reset)
  ) {
    return null;
  }
  return { limit, remaining, resetAt: new Date(reset) };
}
