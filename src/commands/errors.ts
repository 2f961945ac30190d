/** A person can act on these: one line says what happened and how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Errors whose message is meant for a person. Matched by name, so the CLI does not have to load
 * every module (database drivers, X client) just to print a failure.
 */
const actionable = new Set([
  'ConfigError',
  'DatabaseUnavailableError',
  'RedisUnavailableError',
  'CampaignFileError',
  'UsageError',
  'XAuthError',
  'XRateLimitError',
  'XUsageCapError',
  'XRequestError',
  'XTransientError',
]);

/** The single line printed when a command fails; never a stack trace. */
export function errorLine(error: unknown): string {
  if (error instanceof Error && actionable.has(error.name)) return error.message;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE')
    return `port ${String(port)} is already in use: stop what runs there, or set PORT`;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `unexpected error: ${message} (run with LOG_LEVEL=debug for details)`;
}
