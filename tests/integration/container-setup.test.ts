import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { type DashboardServer, serveDashboard } from '../../dashboard/server/serve.ts';
import { systemClock } from '../../src/clock.ts';
import { configVariables, loadConfig } from '../../src/config.ts';
import { freePort } from '../../src/redis.ts';
import { createTestDatabase, type TestDatabase, trackerFromSources } from '../support/services.ts';

const run = promisify(execFile);
const read = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/**
 * No image registry is reachable here, so the image is never built in tests: this checks what can
 * be checked without Docker. compose.yaml parses and sets only variables src/config.ts reads, with
 * values it accepts; the Dockerfile's last stage holds the built package only, runs as a non-root
 * user, and its health check (run here with node, as Docker would) passes against a real
 * dashboard and fails against nothing; the commands the containers run are the CLI's own.
 */
interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  volumes?: string[];
  deploy?: { replicas?: number };
}

let compose: { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
let dockerfile: string;

beforeAll(async () => {
  compose = parse(await read('compose.yaml'), { merge: true });
  dockerfile = await read('Dockerfile');
});

const trackerServices = () =>
  Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** `${VAR:?message}` and `${VAR:-default}` as compose would fill them from a complete .env. */
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(:[?-][^}]*)?\}/g, (_, name: string, rest?: string) =>
    rest?.startsWith(':-') ? rest.slice(2) : `${name.toLowerCase()}-example`,
  );

describe('compose.yaml', () => {
  test('PostgreSQL 16 with a volume, Redis 7, migrate once, one dashboard, two workers', () => {
    const { services } = compose;
    expect(services.postgres?.image).toBe('postgres:16');
    expect(services.postgres?.volumes?.[0]).toMatch(/^postgres-data:\/var\/lib\/postgresql\/data$/);
    expect(Object.keys(compose.volumes)).toContain('postgres-data');
    expect(services.redis?.image).toBe('redis:7');
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.dashboard?.command).toEqual(['dashboard']);
    expect(services.dashboard?.deploy?.replicas ?? 1).toBe(1);
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.worker?.deploy?.replicas).toBe(2);
  });

  test('secrets come from .env; every variable set for the tracker is one src/config.ts reads, with a value it accepts', async () => {
    for (const [name, service] of trackerServices()) {
      expect(service.env_file, name).toBe('.env');
      const environment = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value))]),
      );
      for (const key of Object.keys(environment))
        expect(configVariables, `${name} sets ${key}`).toContain(key);
      // No secret in the file itself: tokens only through .env.
      expect(
        Object.keys(environment).filter((key) => /TOKEN|PASSWORD/.test(key)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(environment), name).not.toThrow();
    }
    const example = (await read('.env.example'))
      .split('\n')
      .filter((line) => /^\w+=/.test(line))
      .map((line) => line.slice(0, line.indexOf('=')));
    // POSTGRES_PASSWORD is compose's own (it builds DATABASE_URL); the rest are the program's.
    for (const key of example.filter((key) => key !== 'POSTGRES_PASSWORD'))
      expect(configVariables).toContain(key);
  });

  test("the containers' commands are commands of `tracker`", async () => {
    const { stdout } = await run(process.execPath, [...trackerFromSources, '--help'], {
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    const commands = [...stdout.matchAll(/^ {2}(\w+)/gm)].map((match) => match[1]);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    for (const command of [...trackerServices().map(([, s]) => s.command?.[0]), cmd[0]]) {
      expect(commands).toContain(command);
    }
  });
});

describe('Dockerfile', () => {
  let t: TestDatabase;
  let dashboard: Dashboard;
  let server: DashboardServer;

  beforeAll(async () => {
    t = await createTestDatabase();
    dashboard = createDashboard({ db: t.db, clock: systemClock, demo: false });
    server = await serveDashboard(dashboard, { port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await t?.drop();
  });

  test('multi-stage; the last stage installs without dev dependencies, holds dist/ only, runs as a non-root user', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const last = stages.at(-1) ?? '';
    expect(last).toMatch(/^RUN npm ci --omit=dev /m);
    const copied = [...last.matchAll(/^COPY (?:--from=\w+ )?(\S+)/gm)].map((match) => match[1]);
    expect(copied.sort()).toEqual(['/app/dist', 'bin/tracker.js', 'package.json', 'sql']);
    expect(last).toMatch(/^USER node$/m);
    expect(last).toMatch(/^ENTRYPOINT \["node", "bin\/tracker\.js"\]$/m);
  });

  test('its health check passes on a running dashboard and fails when nothing answers', async () => {
    const check = JSON.parse(/^ {2}CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(check.slice(0, 2)).toEqual(['node', '-e']);
    expect(check[2]).toContain('/healthz');
    const probe = async (port: number) =>
      run(process.execPath, ['-e', check[2] ?? ''], { env: { PORT: String(port) }, timeout: 20_000 }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    expect(await probe(server.port)).toBe(0);
    expect(await probe(await freePort())).toBe(1);
  });
});
