import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { eventually, trackerFromSources } from '../support/services.ts';

/**
 * `npm start` as a newcomer runs it: no token, no DATABASE_URL (embedded PGlite), and here no Redis
 * at REDIS_URL either, so the command starts its own private redis-server. Only the data folder and
 * the replay speed differ from the defaults, to keep the test short and apart from a real demo.
 */
describe('the demo (tracker start without a token)', () => {
  let child: ChildProcess;
  let output = '';

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  test('serves the live leaderboard with @OpenData_Forum and a rising follower curve, then stops on Ctrl-C', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracker-demo-'));
    child = spawn(process.execPath, [...trackerFromSources, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        DATA_DIR: dataDir,
        REDIS_URL: 'redis://127.0.0.1:1',
        DEMO_SPEED: '3000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });

    const url = await eventually(async () => output.match(/campaign-tracker is up: (http:\/\/\S+)/)?.[1], {
      what: `the demo to start (output so far: ${output})`,
      timeoutMs: 120_000,
    });
    expect(output).toContain('demo: simulated replay');

    const json = async (path: string) => (await fetch(`${url}${path}`)).json();
    const board = await eventually(
      async () => {
        const body = (await json('/api/v1/campaigns/ogp16/leaderboard?limit=10')) as {
          home: { rank: number } | null;
        };
        return body.home ? body : undefined;
      },
      { what: '@OpenData_Forum on the leaderboard', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(board.home?.rank).toBeGreaterThanOrEqual(1);

    const series = await eventually(
      async () => {
        const body = (await json('/api/v1/campaigns/ogp16/accounts/OpenData_Forum/series?interval=hour')) as {
          points: Array<{ value: number }>;
        };
        const values = body.points.map((point) => point.value);
        return values.length >= 3 && (values.at(-1) ?? 0) > (values[0] ?? 0) ? values : undefined;
      },
      { what: 'a rising follower curve', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect([...series].sort((a, b) => a - b)).toEqual(series);

    // forum26: the home organisation ranked on each network; across networks, rows name theirs.
    type Board = { home: { rank: number; username: string } | null; rows: Array<{ network: string }> };
    for (const [network, handle] of [
      ['bluesky', 'opendataforum.bsky.social'],
      ['mastodon', 'opendataforum@mastodon.social'],
    ]) {
      const forum = await eventually(
        async () => {
          const body = (await json(
            `/api/v1/campaigns/forum26/leaderboard?network=${network}&limit=10`,
          )) as Board;
          return body.home ? body : undefined;
        },
        {
          what: `@OpenData_Forum on the forum26 ${network} leaderboard`,
          timeoutMs: 120_000,
          intervalMs: 500,
        },
      );
      expect(forum.home?.rank).toBeGreaterThanOrEqual(1);
      expect(forum.home?.username.toLowerCase()).toBe(handle);
      expect(new Set(forum.rows.map((row) => row.network))).toEqual(new Set([network]));
    }
    const mixed = await eventually(
      async () => {
        const body = (await json('/api/v1/campaigns/forum26/leaderboard?network=all&limit=100')) as Board;
        return new Set(body.rows.map((row) => row.network)).size >= 3 ? body : undefined;
      },
      { what: 'forum26 rows from X, Bluesky and Mastodon together', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(new Set(mixed.rows.map((row) => row.network))).toEqual(new Set(['x', 'bluesky', 'mastodon']));
    const unknown = await fetch(`${url}/api/v1/campaigns/forum26/leaderboard?network=myspace`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('network');

    const page = await (await fetch(`${url}/campaigns/ogp16`)).text();
    expect(page).toContain('OpenData_Forum');
    expect(page).toMatch(/simulat/i);
    // An X-only campaign has no network switch; forum26 has one, and its Bluesky board shows Bluesky rows.
    expect(page).not.toContain('id="network-switch"');
    const onBluesky = await (await fetch(`${url}/campaigns/forum26?network=bluesky`)).text();
    expect(onBluesky).toContain('id="network-switch"');
    expect(onBluesky).toMatch(/data-network="bluesky" aria-current="true"/);
    expect(onBluesky).toContain('aria-label="Bluesky"');
    expect(onBluesky).not.toContain('aria-label="Mastodon"');
    expect(onBluesky).toContain('href="/campaigns/forum26/accounts/bluesky/');
    // The headline on each network, and the home's page on Bluesky.
    const overview = (await json('/api/v1/campaigns/forum26/overview')) as {
      headline: { networks: Array<{ network: string; rank: number | null }> };
    };
    expect(overview.headline.networks.map((on) => on.network)).toEqual(['x', 'bluesky', 'mastodon']);
    const homePage = await fetch(`${url}/campaigns/forum26/accounts/bluesky/opendataforum.bsky.social`);
    expect(homePage.status).toBe(200);
    // The PDF report of forum26: the rank on each network after the headline, a board per network.
    const pdf = join(await mkdtemp(join(tmpdir(), 'demo-report-')), 'forum26.pdf');
    await writeFile(
      pdf,
      Buffer.from(await (await fetch(`${url}/api/v1/campaigns/forum26/export/report.pdf`)).arrayBuffer()),
    );
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(
      /[\s\u00a0\u202f]+/g,
      ' ',
    );
    expect(text).toMatch(/n°[\d,]+ of [\d,]+ on X · (n°[\d,]+ of [\d,]+|not ranked) on Bluesky/);
    for (const network of ['X', 'Bluesky', 'Mastodon'])
      expect(text).toContain(`accounts ranked — ${network}`);

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 600_000);
});
