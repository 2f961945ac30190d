import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { freePort } from '../../src/redis.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/processes.ts';
import { testDatabaseUrl, testRedisUrl, trackerFromSources, uniqueName } from '../support/services.ts';

const run = promisify(execFile);

/**
 * `tracker doctor` as a user runs it: the real command against the X simulator over HTTP, the real
 * PostgreSQL and Redis, and the same with three things wrong at once.
 */
async function doctor(
  env: Record<string, string>,
): Promise<{ code: number; lines: string[]; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...trackerFromSources, 'doctor'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { code: 0, lines: stdout.trim().split('\n'), output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return {
      code: failed.code,
      lines: failed.stdout.trim().split('\n'),
      output: failed.stdout + failed.stderr,
    };
  }
}

const token = `doctor-${randomBytes(20).toString('hex')}`;
const scenario = generateScenario({ seed: 3, accounts: 40, posts: 200 });
const clock = new ManualClock(new Date(scenario.window.end.getTime() + 3600_000));
let archiveTier: RunningSimulator;
let basicTier: RunningSimulator;
let database: ScratchDatabase;
const unmigrated = uniqueName('unmigrated');

beforeAll(async () => {
  [archiveTier, basicTier, database] = await Promise.all([
    startSimulator({ scenario, clock, bearerToken: token, tier: 'pay-per-use', archiveSearchIntervalMs: 0 }),
    startSimulator({ scenario, clock, bearerToken: token, tier: 'basic' }),
    createScratchDatabase(),
  ]);
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      budget: { monthly_usd: 50 },
    }),
    'summit.json',
  );
  await applyCampaign(database.db, file, clock.now());
  await adminQuery(`create database ${unmigrated}`);
});

afterAll(async () => {
  await Promise.all([archiveTier?.close(), basicTier?.close(), database?.drop()]);
  await adminQuery(`drop database if exists ${unmigrated} with (force)`);
});

async function adminQuery(text: string) {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

const goodEnv = () => ({
  DATABASE_URL: database.url,
  REDIS_URL: testRedisUrl,
  X_BEARER_TOKEN: token,
  X_API_BASE_URL: archiveTier.baseUrl,
  ADMIN_TOKEN: randomBytes(16).toString('hex'),
});

describe('tracker doctor', { timeout: 90_000 }, () => {
  test('all good: ✔ for each check, the archive available, the budget against the spend, exit 0', async () => {
    const { code, lines, output } = await doctor(goodEnv());
    expect(code, output).toBe(0);
    expect(lines.filter((line) => line.startsWith('✖'))).toEqual([]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✔ configuration: /),
        expect.stringMatching(/^✔ PostgreSQL: reachable at .*, schema up to date$/),
        expect.stringMatching(/^✔ Redis: answers at redis:\/\/127\.0\.0\.1:6379$/),
        expect.stringMatching(/^✔ X credentials: accepted by /),
        expect.stringMatching(/^✔ X access level: archive search available/),
        expect.stringMatching(/^✔ X monthly post cap: \d[\d,]* of [\d,]+ posts read/),
        expect.stringMatching(/^✔ campaign summit: \$0\.00 of \$50\.00 spent in \d{4}-\d\d/),
      ]),
    );
    expect(
      lines.every((line) => /^[✔–] /.test(line)),
      output,
    ).toBe(true);
    expect(output).not.toContain(token);
  });

  test('a wrong X token, a stopped Redis and a wrong DATABASE_URL: three ✖ lines with their fixes, exit 1', async () => {
    const { code, lines, output } = await doctor({
      ...goodEnv(),
      X_BEARER_TOKEN: `${token}-wrong`,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      DATABASE_URL: 'postgres://root@127.0.0.1:1/nowhere',
    });
    expect(code, output).toBe(1);
    const failures = lines.filter((line) => line.startsWith('✖'));
    expect(failures).toEqual([
      expect.stringMatching(
        /^✖ PostgreSQL: cannot reach .*ECONNREFUSED.* — fix: start PostgreSQL or correct DATABASE_URL/,
      ),
      expect.stringMatching(
        /^✖ Redis: no answer at redis:\/\/127\.0\.0\.1:\d+ — fix: start Redis .* REDIS_URL$/,
      ),
      expect.stringMatching(/^✖ X credentials: refused \(.*401.*\) — fix: set X_BEARER_TOKEN /),
    ]);
    // What depends on a failed check says it was skipped, and no line shows the token.
    expect(lines).toContain('– X access level: skipped (no answer from X)');
    expect(lines).toContain('– campaign budgets: skipped (no database)');
    expect(output).not.toContain(token);
  });

  test('a database never migrated, and an X app on the Basic tier', async () => {
    const { code, lines, output } = await doctor({
      ...goodEnv(),
      DATABASE_URL: testDatabaseUrl.replace(/\/test$/, `/${unmigrated}`),
      X_API_BASE_URL: basicTier.baseUrl,
    });
    expect(code, output).toBe(1);
    expect(lines.filter((line) => line.startsWith('✖'))).toEqual([
      expect.stringMatching(
        /^✖ PostgreSQL: reachable at .*, but \d+ migration\(s\) not run .* — fix: run tracker migrate$/,
      ),
    ]);
    expect(lines).toContain(
      '– X access level: recent search only (the last 7 days); the archive needs pay-per-use or Enterprise access',
    );
  });
});
