import { CampaignFileError } from '../campaigns/campaign-file.ts';
import { ConfigError } from '../config.ts';
import { DatabaseUnavailableError } from '../db/database.ts';
import { RedisUnavailableError } from '../redis.ts';
import { XAuthError, XRateLimitError, XRequestError, XTransientError, XUsageCapError } from '../x/errors.ts';

/** A person can act on these: one line says what happened and how to fix it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const actionable = [
  ConfigError,
  DatabaseUnavailableError,
  RedisUnavailableError,
  CampaignFileError,
  UsageError,
  XAuthError,
  XRateLimitError,
  XUsageCapError,
  XRequestError,
  XTransientError,
];

/** The single line printed when a command fails; never a stack trace. */
export function errorLine(error: unknown): string {
  if (actionable.some((type) => error instanceof type)) return (error as Error).message;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE')
    return `port ${String(port)} is already in use: stop what runs there, or set PORT`;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `unexpected error: ${message} (run with LOG_LEVEL=debug for details)`;
}
