import { formatUsd, pricesFrom } from '../budget/prices.ts';
import { campaignBudgetStatus } from '../budget/status.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { type Db, openDatabase, pendingMigrations } from '../db/database.ts';
import { XClient } from '../networks/x/client.ts';
import { XAuthError } from '../networks/x/errors.ts';
import type { XUsage } from '../networks/x/types.ts';
import { redisAnswers, safeUrl } from '../redis.ts';

/**
 * `tracker doctor`: every check a deployment needs, each on one line with what to do about it, so
 * a wrong token, an unreachable database and an expired app password show together, not one at a
 * time at their first failure. A check that cannot run because another failed says so (–).
 * No line ever shows a token or password: only URLs without credentials, handles and counts.
 */
export interface CheckResult {
  status: 'ok' | 'fail' | 'skip';
  /** `what: outcome`, one line */
  line: string;
  /** how to fix it (failures) */
  fix?: string;
}

const marks = { ok: '✔', fail: '✖', skip: '–' } as const;

export function formatCheck(result: CheckResult): string {
  return `${marks[result.status]} ${result.line}${result.fix ? ` — fix: ${result.fix}` : ''}`;
}

const ok = (line: string): CheckResult => ({ status: 'ok', line });
const fail = (line: string, fix: string): CheckResult => ({ status: 'fail', line, fix });
const skip = (line: string): CheckResult => ({ status: 'skip', line });

/** Runs the checks, printing each line as it is known; resolves to the exit code (1 if any ✖). */
export async function runDoctor(now: Date, out: (line: string) => void): Promise<number> {
  let failed = false;
  const report = (result: CheckResult) => {
    if (result.status === 'fail') failed = true;
    out(formatCheck(result));
  };
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report(fail(`configuration: ${error.message}`, 'correct these variables (README, "Configuration")'));
    report(skip('other checks: skipped until the configuration is valid'));
    return 1;
  }
  report(ok(`configuration: ${describeConfig(config)}`));

  const db = await checkDatabase(config, report);
  try {
    report(await checkRedis(config));
    const usage = await checkX(config, report);
    for (const result of await checkBluesky(config)) report(result);
    for (const result of await checkMastodon(config)) report(result);
    for (const result of await checkBudgets(config, db, usage, now)) report(result);
  } finally {
    await db?.destroy();
  }
  return failed ? 1 : 0;
}

function describeConfig(config: Config): string {
  const parts = [
    config.demo ? 'demo mode (no X_BEARER_TOKEN)' : `X API at ${config.X_API_BASE_URL}`,
    config.DATABASE_URL
      ? `PostgreSQL at ${safeUrl(config.DATABASE_URL)}`
      : `embedded PGlite in ${config.DATA_DIR}`,
    `Redis at ${safeUrl(config.REDIS_URL)}`,
  ];
  if (!config.ADMIN_TOKEN) parts.push('no ADMIN_TOKEN: write routes refuse every request');
  return parts.join(', ');
}

/** The database, open, when it answers and its schema is current (the budget check reads it). */
async function checkDatabase(config: Config, report: (r: CheckResult) => void): Promise<Db | undefined> {
  if (!config.DATABASE_URL) {
    // Opening the embedded database from a second process could harm the one a running
    // `tracker start` holds: it is not opened here.
    report(skip(`PostgreSQL: DATABASE_URL unset, embedded PGlite in ${config.DATA_DIR} (not opened)`));
    return undefined;
  }
  const where = safeUrl(config.DATABASE_URL);
  let db: Db;
  try {
    db = await openDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  } catch (error) {
    report(
      fail(
        `PostgreSQL: ${errorText(error)}`,
        `start PostgreSQL or correct DATABASE_URL (postgres://user:password@host:5432/database)`,
      ),
    );
    return undefined;
  }
  try {
    const pending = await pendingMigrations(db);
    if (pending.length > 0) {
      const names = pending.length > 3 ? `${pending[0]} … ${pending.at(-1)}` : pending.join(', ');
      report(
        fail(
          `PostgreSQL: reachable at ${where}, but ${pending.length} migration(s) not run (${names})`,
          'run tracker migrate',
        ),
      );
      await db.destroy();
      return undefined;
    }
    report(ok(`PostgreSQL: reachable at ${where}, schema up to date`));
    return db;
  } catch (error) {
    await db.destroy();
    report(
      fail(`PostgreSQL: cannot read the schema at ${where}: ${errorText(error)}`, 'run tracker migrate'),
    );
    return undefined;
  }
}

async function checkRedis(config: Config): Promise<CheckResult> {
  const where = safeUrl(config.REDIS_URL);
  return (await redisAnswers(config.REDIS_URL))
    ? ok(`Redis: answers at ${where}`)
    : fail(`Redis: no answer at ${where}`, 'start Redis (redis-server) or correct REDIS_URL');
}

/** X credentials (the cheap `/2/usage/tweets`), then the access level; X's usage when readable. */
async function checkX(config: Config, report: (r: CheckResult) => void): Promise<XUsage | undefined> {
  if (!config.X_BEARER_TOKEN) {
    report(skip('X credentials: no X_BEARER_TOKEN, the demo collects from the built-in simulator'));
    return undefined;
  }
  const x = new XClient({
    bearerToken: config.X_BEARER_TOKEN,
    baseUrl: config.X_API_BASE_URL,
    timeoutMs: config.X_TIMEOUT_MS,
  });
  let usage: XUsage;
  try {
    usage = await x.usage();
  } catch (error) {
    report(
      error instanceof XAuthError
        ? fail(
            `X credentials: refused (${errorText(error).replace(/ — check .*$/, '')})`,
            "set X_BEARER_TOKEN to the app's bearer token (developer console › your app › Keys and tokens)",
          )
        : fail(`X API: ${errorText(error)}`, 'check X_API_BASE_URL and the network, then run doctor again'),
    );
    report(skip('X access level: skipped (no answer from X)'));
    return undefined;
  }
  report(ok(`X credentials: accepted by ${config.X_API_BASE_URL}`));
  try {
    const access = await x.archiveSearchAccess();
    report(
      access === 'available'
        ? ok('X access level: archive search available (backfills reach back to 2006)')
        : access === 'not-available'
          ? skip(
              'X access level: recent search only (the last 7 days); the archive needs pay-per-use or Enterprise access',
            )
          : skip(`X access level: unknown (${config.X_API_BASE_URL} does not serve /2/tweets/search/all)`),
    );
  } catch (error) {
    report(fail(`X access level: ${errorText(error)}`, 'run doctor again; if it persists, check X status'));
  }
  return usage;
}

async function checkBluesky(config: Config): Promise<CheckResult[]> {
  const identifier = config.BLUESKY_IDENTIFIER;
  const password = config.BLUESKY_APP_PASSWORD;
  if (!identifier || !password)
    return [skip('Bluesky session: BLUESKY_IDENTIFIER unset, Bluesky search off')];
  const base = withSlash(config.BLUESKY_SERVICE);
  let response: Response;
  try {
    response = await fetch(new URL('xrpc/com.atproto.server.createSession', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier, password }),
      signal: AbortSignal.timeout(config.X_TIMEOUT_MS),
    });
  } catch (error) {
    return [
      fail(`Bluesky: ${base} unreachable: ${errorText(error)}`, 'check BLUESKY_SERVICE and the network'),
    ];
  }
  const body = (await response.json().catch(() => ({}))) as {
    handle?: unknown;
    refreshJwt?: unknown;
    error?: unknown;
    message?: unknown;
  };
  if (response.ok) {
    // The session was only a test: end it rather than leave it open.
    if (typeof body.refreshJwt === 'string') {
      await fetch(new URL('xrpc/com.atproto.server.deleteSession', base), {
        method: 'POST',
        headers: { authorization: `Bearer ${body.refreshJwt}` },
        signal: AbortSignal.timeout(config.X_TIMEOUT_MS),
      }).catch(() => undefined);
    }
    return [ok(`Bluesky session: signed in as ${String(body.handle ?? identifier)} at ${base}`)];
  }
  const said = [body.error, body.message].filter((part) => typeof part === 'string').join(': ');
  const what = `Bluesky session: ${base} answered ${response.status}${said ? ` (${said})` : ''} for ${identifier}`;
  if (response.status === 401 || response.status === 400) {
    return [
      fail(
        what,
        'create an app password (Bluesky › Settings › Privacy and security › App passwords) and set BLUESKY_APP_PASSWORD',
      ),
    ];
  }
  if (response.status === 429) return [fail(what, 'sessions are rate limited: wait an hour, then try again')];
  return [fail(what, 'check BLUESKY_SERVICE (the account’s PDS or https://bsky.social)')];
}

async function checkMastodon(config: Config): Promise<CheckResult[]> {
  const tokens = Object.entries(config.MASTODON_TOKENS ?? {});
  const results: CheckResult[] = [];
  for (const [instance, token] of tokens) {
    const base = instance.includes('://') ? withSlash(instance) : `https://${instance}/`;
    try {
      const response = await fetch(new URL('api/v1/apps/verify_credentials', base), {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(config.X_TIMEOUT_MS),
      });
      results.push(
        response.ok
          ? ok(`Mastodon ${instance}: token accepted`)
          : fail(
              `Mastodon ${instance}: token refused (${response.status})`,
              `create an access token on ${instance} (Preferences › Development) and update MASTODON_TOKENS`,
            ),
      );
    } catch (error) {
      results.push(
        fail(
          `Mastodon ${instance}: unreachable: ${errorText(error)}`,
          'check the instance in MASTODON_TOKENS',
        ),
      );
    }
  }
  return results;
}

/** X's monthly post cap as read now, then each campaign's budget against its spending and the cap. */
async function checkBudgets(
  config: Config,
  db: Db | undefined,
  usage: XUsage | undefined,
  now: Date,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const capLeft = usage ? Math.max(0, usage.projectCap - usage.projectUsage) : undefined;
  if (usage) {
    const resets = usage.capResetDays === null ? '' : `, resets in ${usage.capResetDays} day(s)`;
    const line = `X monthly post cap: ${count(usage.projectUsage)} of ${count(usage.projectCap)} posts read${resets}`;
    results.push(
      capLeft === 0 ? fail(line, 'collection waits for the reset; a higher X tier raises the cap') : ok(line),
    );
  }
  if (!db) {
    results.push(skip('campaign budgets: skipped (no database)'));
    return results;
  }
  const prices = pricesFrom(config);
  const campaigns = await db
    .selectFrom('campaigns')
    .select(['id', 'slug', 'budget_monthly_usd'])
    .orderBy('slug')
    .execute();
  if (campaigns.length === 0)
    results.push(skip('campaign budgets: no campaign yet (tracker campaign apply <file>)'));
  for (const campaign of campaigns) {
    if (!campaign.budget_monthly_usd) {
      results.push(skip(`campaign ${campaign.slug}: no budget set, only X's cap limits it`));
      continue;
    }
    const status = await campaignBudgetStatus(db, campaign.id, now, prices);
    const budget = status.monthlyBudgetUsd ?? 0;
    const spent = `${formatUsd(Math.round(status.spentUsd * 1e6))} of ${formatUsd(Math.round(budget * 1e6))} spent in ${status.month}`;
    if (status.pausedBy === 'budget') {
      results.push(
        fail(
          `campaign ${campaign.slug}: budget reached, ${spent}; collection paused until ${status.resumesAt.toISOString().slice(0, 10)}`,
          'raise budget.monthly_usd in the campaign file and apply it, or wait for the next month',
        ),
      );
      continue;
    }
    // What the rest of the budget buys, in posts, against what X's cap still lets the project read.
    const postsLeft = Math.floor(
      Math.max(0, budget - status.spentUsd - status.snapshotReserveUsd) / prices.postRead,
    );
    const capNote =
      capLeft !== undefined && postsLeft > capLeft
        ? `; X's cap stops collection first (${count(capLeft)} posts left under it, the budget buys ${count(postsLeft)})`
        : '';
    results.push(ok(`campaign ${campaign.slug}: ${spent}${capNote}`));
  }
  return results;
}

const count = (n: number) => n.toLocaleString('en-US');
const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
