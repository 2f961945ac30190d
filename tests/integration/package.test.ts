import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type PrivateRedis, startPrivateRedis, stopProcess } from '../support/processes.ts';
import { eventually } from '../support/services.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), then
 * `npm install --omit=dev <tarball>` in an empty folder, from the npm cache `npm ci` filled (no
 * registry needed), then the installed `tracker` command. Nothing here runs the sources.
 */
describe('the packed package, installed without dev dependencies', { timeout: 180_000 }, () => {
  let work: string;
  let installed: string;
  let version: string;
  const running: ChildProcess[] = [];
  let redis: PrivateRedis | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tracker-package-'));
    version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version;
    await run('npm', ['pack', '--pack-destination', work], { cwd: root, timeout: 240_000 });
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack left no tarball in ${work}`);
    const app = join(work, 'app');
    await run('mkdir', [app]);
    await run(
      'npm',
      ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)],
      { cwd: app, timeout: 240_000 },
    );
    installed = app;
  }, 480_000);

  afterAll(async () => {
    for (const child of running) await stopProcess(child);
    await redis?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Starts the installed command itself (node_modules/.bin/tracker), with only the given environment. */
  function startInstalled(args: string[], env: Record<string, string>) {
    let output = '';
    const child = spawn(join(installed, 'node_modules/.bin/tracker'), args, {
      cwd: installed,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    return { child, output: () => output };
  }

  test('holds the compiled code only: no TypeScript it needs at run time, no tsx, no esbuild', async () => {
    const packageDir = join(installed, 'node_modules/campaign-tracker');
    const files = await listFiles(packageDir);
    expect(files).toContain('dist/src/cli.js');
    expect(files).toContain('dist/campaigns/ogp16.yaml');
    expect(files).toContain('dist/dashboard/client/assets.json');
    // migrations/sql-files.ts reads the database functions from sql/ at the package root.
    expect(files).toContain('sql/rank_apply.sql');
    expect(files.filter((file) => /\.(ts|tsx)$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    const modules = await readdir(join(installed, 'node_modules'));
    expect(modules).not.toContain('tsx');
    expect(modules).not.toContain('typescript');
    expect(modules).not.toContain('esbuild');
  });

  test('npx tracker --version prints the version of package.json', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'tracker', '--version'], {
      cwd: installed,
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(version);
  });

  test('tracker simulate serves the X API', async () => {
    const simulator = startInstalled(['simulate', '--port', '0'], { LOG_FORMAT: 'json' });
    const [, baseUrl, token] = await eventually(
      async () => simulator.output().match(/X API simulator on (\S+)\nbearer token: (\S+)/) ?? undefined,
      { timeoutMs: 60_000, what: () => `the simulator's address in: ${simulator.output()}` },
    );
    const answer = await fetch(`${baseUrl}users/by?usernames=OpenData_Forum`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { data: { username: string }[] };
    expect(body.data[0]?.username).toBe('OpenData_Forum');
    await stopProcess(simulator.child);
    expect(simulator.child.exitCode).toBe(0);
  });

  test('tracker start runs the demo: embedded database, migrations and browser bundle from dist/', async () => {
    redis = await startPrivateRedis();
    const dataDir = join(work, 'data');
    const demo = startInstalled(['start'], { PORT: '0', DATA_DIR: dataDir, REDIS_URL: redis.url });
    const url = await eventually(
      async () => demo.output().match(/campaign-tracker is up: http:\/\/localhost:(\d+)/)?.[1],
      { timeoutMs: 120_000, what: () => `the demo's address in: ${demo.output()}` },
    );
    const origin = `http://127.0.0.1:${url}`;
    const page = await fetch(`${origin}/campaigns/ogp16`);
    expect(page.status).toBe(200);
    const script = (await page.text()).match(/\/assets\/app\.[0-9a-f]+\.js/)?.[0];
    expect(script).toBeDefined();
    const bundle = await fetch(`${origin}${script}`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(50_000);
    const campaigns = await fetch(`${origin}/api/v1/campaigns`);
    expect(campaigns.status).toBe(200);
    expect(JSON.stringify(await campaigns.json())).toContain('ogp16');
    await stopProcess(demo.child);
    expect(demo.child.exitCode).toBe(0);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}
