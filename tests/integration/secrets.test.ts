import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger, formatLogLine } from '../../src/log.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { freePort } from '../../src/redis.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  eventually,
  type TestDatabase,
  testDatabaseUrl,
  testRedisUrl,
  trackerFromSources,
  uniqueName,
} from '../support/services.ts';

/**
 * The X bearer token and the admin token never show: not in the logs (pino, at trace level), not
 * in error bodies, pages, /metrics or /readyz, not in the CLI's output when it fails (even at debug
 * level, which prints stack traces). The X API fails on purpose (503s, cut connections, broken
 * JSON, a wrong token), so that every error path runs.
 */
const secret = (kind: string) => `${kind}-${randomBytes(20).toString('hex')}`;
const xToken = secret('xbearer');
const adminToken = secret('admin');
/** Too short for the config's rules: refused, and the refusal must not echo them either. */
const shortX = `x${randomBytes(6).toString('hex')}`;
const shortAdmin = `a${randomBytes(6).toString('hex')}`;
const secrets = [xToken, adminToken, shortX, shortAdmin];

const scenario = generateScenario({ seed: 11, accounts: 40, posts: 300 });
const clock = new ManualClock(new Date(scenario.window.start.getTime() + 30 * 3600_000));
const captured: Array<{ where: string; text: string }> = [];
const logLines: string[] = [];
/** The same entries as a terminal shows them: made from the redacted JSON, checked all the same. */
const prettyLines: string[] = [];
const log = createLogger({
  level: 'trace',
  destination: {
    write: (line: string) => {
      logLines.push(line);
      prettyLines.push(formatLogLine(line, { colors: false }));
    },
  },
});

let simulator: RunningSimulator;
let t: TestDatabase;
let runtime: CollectionRuntime;
let app: Dashboard;

const campaignYaml = `slug: summit
name: Summit
timezone: ${scenario.timezone}
window: { start: ${scenario.window.start.toISOString()}, end: ${scenario.window.end.toISOString()} }
home: ${scenario.homeUsername}
queries: ${JSON.stringify(scenario.queries)}
watchlist: ${JSON.stringify(scenario.watchlist)}
`;

beforeAll(async () => {
  simulator = await startSimulator({
    scenario,
    clock,
    bearerToken: xToken,
    port: 0,
    faults: {
      serviceUnavailable: { rate: 0.2, burst: 2 },
      droppedConnections: { rate: 0.1 },
      truncatedJson: { rate: 0.1 },
    },
  });
  t = await createTestDatabase();
  await applyCampaign(t.db, parseCampaignFile(campaignYaml, 'summit.yaml'), clock.now());
  runtime = await startCollection({
    db: t.db,
    x: new XClient({ bearerToken: xToken, baseUrl: simulator.baseUrl }),
    clock,
    log,
    redisUrl: testRedisUrl,
    prefix: uniqueName('bull'),
    schedules: { replay: { speed: 1e9, minEveryMs: 300 } },
  });
  app = createDashboard({
    db: t.db,
    clock,
    demo: false,
    log,
    redisUrl: testRedisUrl,
    queues: runtime.queues,
    adminToken,
  });
});

afterAll(async () => {
  for (const queue of Object.values(runtime?.queues ?? {})) await queue.obliterate({ force: true });
  await runtime?.close();
  await app?.close();
  await simulator?.close();
  await t?.drop();
});

function expectNoSecret(where: string, text: string) {
  captured.push({ where, text });
  for (const value of secrets) {
    expect(text.includes(value), `${where} shows a token`).toBe(false);
  }
  // Nor the token's random part, or its Basic form.
  expect(text).not.toContain(xToken.slice(8, 40));
  expect(text).not.toContain(Buffer.from(`:${adminToken}`).toString('base64').slice(4, 40));
}

describe('the workers and the dashboard, with the X API failing now and then', () => {
  test('collection runs, some fail, and the logs say so without a token', async () => {
    await eventually(
      async () => {
        const outcomes = await t.db
          .selectFrom('collection_runs')
          .select('outcome')
          .groupBy('outcome')
          .execute();
        const seen = new Set(outcomes.map((row) => row.outcome));
        return seen.has('ok') && seen.has('failed') ? true : undefined;
      },
      { what: 'successful and failed collection runs', timeoutMs: 45_000 },
    );
    const logs = logLines.join('');
    expect(logs).toMatch(/"msg":"job failed"/);
    expectNoSecret('worker logs', logs);
    expect(prettyLines.join('\n')).toMatch(/^\d\d:\d\d:\d\d WARN {2}job failed queue=/m);
    expectNoSecret('worker logs, pretty', prettyLines.join('\n'));
    const runs = await t.db
      .selectFrom('collection_runs')
      .select('error')
      .where('error', 'is not', null)
      .execute();
    expect(runs.length).toBeGreaterThan(0);
    expectNoSecret('collection_runs.error', runs.map((run) => run.error).join('\n'));
  }, 60_000);

  test('pages, API answers, error bodies, /metrics and /readyz', async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
    const requests: Array<[string, RequestInit?]> = [
      ['/ops'],
      ['/ops?lang=fr'],
      ['/campaigns/summit'],
      ['/'],
      ['/metrics'],
      ['/readyz'],
      ['/api/v1/campaigns/summit/leaderboard'],
      ['/api/v1/campaigns/summit/coverage'],
      [
        '/api/v1/campaigns/summit/pause',
        { method: 'POST', headers: { Authorization: `Bearer ${adminToken}x` } },
      ],
      ['/api/v1/campaigns/summit/pause', { method: 'POST', headers: { Authorization: `Bearer ${xToken}` } }],
      [
        '/api/v1/campaigns/summit/resume',
        { method: 'POST', headers: { Authorization: `Bearer ${adminToken}` } },
      ],
      [
        '/api/v1/campaigns/summit/backfill',
        { method: 'POST', headers: { Authorization: `Bearer ${adminToken}` } },
      ],
      [
        '/api/v1/campaigns/summit/queries',
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: xToken.repeat(20) }),
        },
      ],
      ['/admin/queues', { headers: { Authorization: basic(`${adminToken}x`) } }],
    ];
    for (const [path, init] of requests) {
      const response = await app.request(path, init);
      expect(response.status, path).not.toBe(500);
      const text = await response.text();
      expectNoSecret(`${init?.method ?? 'GET'} ${path} (${response.status})`, text);
    }
    expectNoSecret('dashboard logs', logLines.join(''));
    expectNoSecret('dashboard logs, pretty', prettyLines.join('\n'));
  });
});

describe('the CLI when it fails', { timeout: 180_000 }, () => {
  const run = promisify(execFile);
  const database = uniqueName('secrets');
  const databaseUrl = testDatabaseUrl.replace(/\/test$/, `/${database}`);
  let dir: string;

  const cli = async (args: string[], env: Record<string, string>) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [...trackerFromSources, ...args], {
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'debug', ...env },
        timeout: 60_000,
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
    }
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    dir = await mkdtemp(join(tmpdir(), 'tracker-secrets-'));
    await writeFile(join(dir, 'summit.yaml'), campaignYaml);
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  test('bad configuration, no Redis, a wrong X token, a flaky X API: no token in the output', async () => {
    const env = {
      DATABASE_URL: databaseUrl,
      X_API_BASE_URL: simulator.baseUrl,
      X_BEARER_TOKEN: xToken,
      ADMIN_TOKEN: adminToken,
      TRACKER_CLOCK: `fixed:${clock.now().toISOString()}`,
    };
    const applied = await cli(['campaign', 'apply', join(dir, 'summit.yaml')], env);
    expect(applied.code, applied.output).toBe(0);
    expectNoSecret('campaign apply', applied.output);

    const outcomes = [
      ['short tokens', ['migrate'], { ...env, X_BEARER_TOKEN: shortX, ADMIN_TOKEN: shortAdmin }],
      ['no Redis', ['worker'], { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }],
      ['a wrong X token', ['collect', 'summit'], { ...env, X_BEARER_TOKEN: `${xToken}-wrong` }],
      [
        'a wrong X token, pretty logs',
        ['collect', 'summit'],
        { ...env, X_BEARER_TOKEN: `${xToken}-wrong`, LOG_FORMAT: 'pretty' },
      ],
      ['a flaky X API', ['collect', 'summit'], env],
      ['an unknown campaign', ['collect', 'nope'], env],
    ] as const;
    for (const [what, args, environment] of outcomes) {
      const outcome = await cli([...args], environment);
      if (what !== 'a flaky X API') expect(outcome.code, `${what}: ${outcome.output}`).not.toBe(0);
      expect(outcome.output.length, what).toBeGreaterThan(0);
      expectNoSecret(`tracker ${args.join(' ')} (${what})`, outcome.output);
    }
    expect(captured.find((c) => c.where.includes('short tokens'))?.text).toMatch(
      /X_BEARER_TOKEN|ADMIN_TOKEN/,
    );
  });
});
