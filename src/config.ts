import { z } from 'zod';

/**
 * Environment, parsed once. The only reader of `process.env`: everything else receives a Config.
 * A bad value stops the program with one line naming the variable and what it expects.
 */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const urlWithProtocols = (protocols: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.join(' or ')} URL such as ${example}` },
  );

const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/**
 * A price in US dollars per billed unit, e.g. 0.005. The defaults are X's published pay-per-use
 * prices (February 2026); set them when X changes its prices or your contract differs.
 */
const usdPrice = (fallback: number) =>
  z.preprocess(
    emptyAsUnset,
    z.coerce
      .number({ message: 'expected a price in US dollars such as 0.005' })
      .min(0, 'expected a price in US dollars ≥ 0, such as 0.005')
      .max(100, 'expected a price in US dollars per read, such as 0.005 (not cents, not per thousand)')
      .default(fallback),
  );

const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyAsUnset,
    urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user@127.0.0.1:5432/tracker').optional(),
  ),
  /** Where the embedded database lives when DATABASE_URL is unset. */
  DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('./data')),
  REDIS_URL: z.preprocess(
    emptyAsUnset,
    urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  ),
  X_BEARER_TOKEN: z.preprocess(emptyAsUnset, z.string().min(20, 'expected an X app bearer token').optional()),
  X_API_BASE_URL: z.preprocess(
    emptyAsUnset,
    urlWithProtocols(['http:', 'https:'], 'https://api.x.com/2/')
      .default('https://api.x.com/2/')
      .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
  ),
  /** How long an X request may take before it is abandoned (and retried, like a 503). */
  X_TIMEOUT_MS: z.preprocess(
    emptyAsUnset,
    z.coerce
      .number({ message: 'expected milliseconds' })
      .int('expected whole milliseconds')
      .min(100, 'expected at least 100 ms')
      .max(600_000, 'expected at most 600000 ms (10 minutes)')
      .default(30_000),
  ),
  /** A Bluesky handle or DID: searchPosts needs a session since 2025; unset, Bluesky search is off. */
  BLUESKY_IDENTIFIER: z.preprocess(
    emptyAsUnset,
    z.string().min(3, 'expected a Bluesky handle or DID').optional(),
  ),
  /** An app password (Settings › Privacy and security › App passwords), never the account's own. */
  BLUESKY_APP_PASSWORD: z.preprocess(
    emptyAsUnset,
    z.string().min(8, 'expected a Bluesky app password').optional(),
  ),
  /** Where sessions are made (the account's PDS or its entryway). */
  BLUESKY_SERVICE: z.preprocess(
    emptyAsUnset,
    urlWithProtocols(['http:', 'https:'], 'https://bsky.social').default('https://bsky.social'),
  ),
  /** The AppView for unauthenticated reads (feeds, profiles, posts). */
  BLUESKY_PUBLIC_API: z.preprocess(
    emptyAsUnset,
    urlWithProtocols(['http:', 'https:'], 'https://public.api.bsky.app').default(
      'https://public.api.bsky.app',
    ),
  ),
  /**
   * Tokens for Mastodon instances that keep tag timelines from anonymous readers:
   * `instance=token,…`, the instance a host name (mastodon.social) or a base URL.
   */
  MASTODON_TOKENS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(/^[^=,\s]+=[^=,\s]+(,[^=,\s]+=[^=,\s]+)*$/, 'expected instance=token pairs separated by commas')
      .transform((value) =>
        Object.freeze(
          Object.fromEntries(
            value.split(',').map((pair) => {
              const at = pair.indexOf('=');
              return [pair.slice(0, at), pair.slice(at + 1)];
            }),
          ) as Record<string, string>,
        ),
      )
      .optional(),
  ),
  PORT: z.preprocess(
    emptyAsUnset,
    z.coerce
      .number({ message: 'expected a TCP port number' })
      .int('expected a TCP port number')
      .min(0, 'expected a TCP port from 0 to 65535')
      .max(65535, 'expected a TCP port from 0 to 65535')
      .default(3000),
  ),
  ADMIN_TOKEN: z.preprocess(
    emptyAsUnset,
    z.string().min(16, 'expected at least 16 characters (generate one: openssl rand -hex 32)').optional(),
  ),
  LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(logLevels).default('info')),
  /** `json` or `pretty`; unset: pretty on a terminal, JSON when the output is piped or redirected. */
  LOG_FORMAT: z.preprocess(emptyAsUnset, z.enum(['json', 'pretty']).optional()),
  /** Demo replay speed: simulated seconds per real second. */
  DEMO_SPEED: z.preprocess(
    emptyAsUnset,
    z.coerce.number({ message: 'expected a number' }).positive('expected a number > 0').default(600),
  ),
  /** Estimated cost of a post read (billed once per post and UTC day). */
  X_PRICE_POST_READ: usdPrice(0.005),
  /** Estimated cost of a user read (billed once per user and UTC day). */
  X_PRICE_USER_READ: usdPrice(0.01),
  /** Estimated cost of one /2/tweets/counts/recent request. */
  X_PRICE_COUNTS_REQUEST: usdPrice(0.005),
  /**
   * Where "now" comes from: unset, the system clock; `fixed:<ISO date-time>`, or
   * `replay:<ISO date-time>@<speed>` to run a worker on the same timeline as a simulator replay.
   */
  TRACKER_CLOCK: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .regex(
        /^(fixed:[^@]+|replay:[^@]+@\d+(\.\d+)?)$/,
        'expected fixed:<ISO date-time> or replay:<ISO date-time>@<speed>',
      )
      .refine((value) => !Number.isNaN(Date.parse(value.replace(/^\w+:/, '').split('@')[0] ?? '')), {
        message: 'expected a valid ISO date-time after fixed: or replay:',
      })
      .optional(),
  ),
});

const checkedEnvSchema = envSchema.refine(
  (env) => (env.BLUESKY_IDENTIFIER === undefined) === (env.BLUESKY_APP_PASSWORD === undefined),
  {
    message: 'set both BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD, or neither',
    path: ['BLUESKY_APP_PASSWORD'],
  },
);

/** Every variable the program reads (compose.yaml and .env.example are checked against it). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export type Config = Readonly<z.output<typeof envSchema>> & {
  /** No X token: collect from the built-in simulator replaying the 2016 summit. */
  readonly demo: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws a ConfigError whose message is one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = checkedEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid environment — ${lines.join('; ')}`);
  }
  return Object.freeze({ ...parsed.data, demo: parsed.data.X_BEARER_TOKEN === undefined });
}
