import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseUrl, trackerFromSources, uniqueName } from '../support/services.ts';

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `tracker` command, as a user would, with only the given environment. */
async function trackerCli(args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...trackerFromSources, ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** One line on stderr, no stack trace. */
function expectOneLine(outcome: Outcome, message: RegExp) {
  expect(outcome.code).toBe(1);
  expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr).not.toMatch(/\n\s+at /);
}

// Each run of the command starts a Node process and loads its modules: generous timeouts on a busy machine.
describe('tracker command', { timeout: 120_000 }, () => {
  // Its own database: the CLI migrates the default schema of whatever DATABASE_URL names.
  const database = uniqueName('cli');
  const databaseUrl = testDatabaseUrl.replace(/\/test$/, `/${database}`);
  let dir: string;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    dir = await mkdtemp(join(tmpdir(), 'tracker-cli-'));
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  test('migrates, applies a campaign idempotently and lists it', async () => {
    const file = join(dir, 'forum.yaml');
    await writeFile(
      file,
      'slug: forum\nname: Forum\ntimezone: Europe/Paris\nwindow: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }\nhome: OpenData_Forum\nqueries: ["#OGP16"]\nwatchlist: [peer_one]\n',
    );
    // No Redis: the apply says the workers resolve the accounts when they start (the deploy test,
    // tests/e2e/deploy.test.ts, applies with workers running).
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: 'redis://127.0.0.1:1' };
    expect(await trackerCli(['migrate'], env)).toMatchObject({
      code: 0,
      stdout: 'database schema is up to date\n',
    });
    const first = await trackerCli(['campaign', 'apply', file], env);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('created campaign forum');
    expect(first.stdout).toContain('+ query #OGP16');
    expect(await trackerCli(['campaign', 'apply', file], env)).toMatchObject({
      code: 0,
      stdout:
        'updated campaign forum\n  accounts: no Redis answers at redis://127.0.0.1:1; the workers resolve them when they start\n',
    });
    const list = await trackerCli(['campaign', 'list'], env);
    expect(list.stdout).toMatch(
      /^forum\t2016-12-06T23:00:00.000Z → 2016-12-09T23:00:00.000Z\t@OpenData_Forum\tForum\n$/,
    );
  });

  test('a wrong DATABASE_URL ends with one clear line', async () => {
    expectOneLine(
      await trackerCli(['migrate'], { DATABASE_URL: 'postgres://root:secret@127.0.0.1:1/nowhere' }),
      /^tracker: cannot reach the database \(postgres:\/\/127\.0\.0\.1:1\/nowhere\): .*ECONNREFUSED/,
    );
    const missing = await trackerCli(['migrate'], {
      DATABASE_URL: testDatabaseUrl.replace(/\/test$/, '/no_such_db'),
    });
    expectOneLine(missing, /database "no_such_db" does not exist/);
    expect(missing.stderr).not.toContain('secret');
  });

  test('a malformed environment value names the variable', async () => {
    expectOneLine(
      await trackerCli(['migrate'], { DATABASE_URL: 'mysql://x@y/z' }),
      /^tracker: invalid environment — DATABASE_URL: /,
    );
  });

  test('a malformed campaign file ends with one clear line and applies nothing', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'slug: bad\nname: Bad\ntimezone: Mars/Olympus\nwindow: { start: 2016-12-10T00:00:00Z, end: 2016-12-07T00:00:00Z }\nhome: x\nqueries: []\n',
    );
    const outcome = await trackerCli(['campaign', 'apply', file], { DATABASE_URL: databaseUrl });
    expectOneLine(
      outcome,
      /^tracker: .*bad\.yaml: line 3, timezone: expected an IANA time zone.*line 6, queries: expected at least one query/,
    );
    expectOneLine(
      await trackerCli(['campaign', 'apply', join(dir, 'absent.yaml')], { DATABASE_URL: databaseUrl }),
      /cannot read the campaign file \(ENOENT\)/,
    );
    const list = await trackerCli(['campaign', 'list'], { DATABASE_URL: databaseUrl });
    expect(list.stdout).not.toContain('bad');
  });

  test('an unreachable Redis ends with one clear line', async () => {
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:1',
      X_BEARER_TOKEN: 'x'.repeat(40),
    };
    expectOneLine(
      await trackerCli(['worker'], env),
      /^tracker: no Redis answers at redis:\/\/127\.0\.0\.1:1: start it or set REDIS_URL/,
    );
    // `start` would start a private redis-server; without one on the PATH it says how to get Redis.
    const noRedisServer = await trackerCli(['start'], { ...env, PATH: dir, PORT: '0' });
    expectOneLine(
      noRedisServer,
      /no Redis answers at redis:\/\/127\.0\.0\.1:1 and redis-server is not installed: start Redis/,
    );
  });
});
