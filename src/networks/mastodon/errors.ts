/**
 * Mastodon failures sorted by what the caller should do about them (like src/networks/x/errors.ts):
 * - MastodonRateLimitError: wait until `resetAt`, then go on; only this instance is held back.
 * - MastodonTimelineClosedError: the instance keeps its tag timelines from anonymous readers; a token
 *   for it (MASTODON_TOKENS) is the fix; the other instances go on.
 * - MastodonAuthError: the token given for the instance is refused.
 * - MastodonNotFoundError: the instance does not know the account, status or hashtag.
 * - MastodonRequestError: a 4xx we caused (bad parameters), or an answer we cannot use; not retried.
 * - MastodonTransientError: 5xx, timeouts, dropped connections, unreadable bodies; retry with backoff.
 */
export class MastodonRateLimitError extends Error {
  override name = 'MastodonRateLimitError';
  constructor(
    message: string,
    readonly instance: string,
    readonly resetAt: Date,
  ) {
    super(message);
  }
}

export class MastodonTimelineClosedError extends Error {
  override name = 'MastodonTimelineClosedError';
  constructor(
    message: string,
    readonly instance: string,
  ) {
    super(message);
  }
}

export class MastodonAuthError extends Error {
  override name = 'MastodonAuthError';
}

export class MastodonNotFoundError extends Error {
  override name = 'MastodonNotFoundError';
}

export class MastodonRequestError extends Error {
  override name = 'MastodonRequestError';
}

export class MastodonTransientError extends Error {
  override name = 'MastodonTransientError';
}
