import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RankedLeaderboardJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.ts';
import { type DemoCampaign, loadDemoCampaign } from '../support/export-fixtures.ts';
import { defined, testDatabaseUrl, trackerFromSources, uniqueName } from '../support/services.ts';

const run = promisify(execFile);

/**
 * `tracker export`, run as a user runs it, on its own database holding the demo campaign: the same
 * bytes as the dashboard's downloads, and the API's one-line refusals.
 */

const database = uniqueName('export_cli');
const databaseUrl = testDatabaseUrl.replace(/\/test$/, `/${database}`);
let db: Db;
let demo: DemoCampaign;
let app: ReturnType<typeof createDashboard>;
let dir: string;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  db = await openDatabase({ url: databaseUrl, poolSize: 3 });
  await migrateToLatest(db);
  demo = await loadDemoCampaign(db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({ db, clock: new ManualClock(demo.observedAt), demo: true });
  dir = await mkdtemp(join(tmpdir(), 'tracker-export-'));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
});

/** `timeoutMs`: the report draws charts and lays out pages, which a loaded machine makes slow. */
async function trackerExport(args: string[], timeoutMs = 60_000) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...trackerFromSources, 'export', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        TRACKER_CLOCK: `fixed:${demo.observedAt.toISOString()}`,
      },
      timeout: timeoutMs,
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr: stderr.toString('utf8') };
  } catch (error) {
    const failed = error as { code: number; stdout: Buffer; stderr: Buffer };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr.toString('utf8') };
  }
}

const downloaded = async (path: string) =>
  Buffer.from(await (await app.request(`/api/v1/campaigns/ogp16/export/${path}`)).arrayBuffer());

describe('tracker export', { timeout: 120_000 }, () => {
  test('followers as CSV to a file: the bytes of the dashboard download', async () => {
    const out = join(dir, 'followers.csv');
    const result = await trackerExport([
      'followers',
      '--campaign',
      'ogp16',
      '--format',
      'csv',
      '--interval',
      'hour',
      '--accounts',
      `${demo.scenario.homeUsername},@${demo.scenario.watchlist[0]}`,
      '--out',
      out,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString('utf8')).toMatch(
      /^wrote .*followers\.csv \(\d+ bytes; the dashboard names it ogp16-followers-hour\.csv\)\n$/,
    );
    const file = await readFile(out);
    expect(
      file.equals(
        await downloaded(
          `followers.csv?interval=hour&accounts=${demo.scenario.homeUsername},${demo.scenario.watchlist[0]}`,
        ),
      ),
    ).toBe(true);
    expect(file.toString('utf8').split('\r\n').length).toBeGreaterThan(100);
  });

  test('the report as PDF: the pages of the dashboard download', { timeout: 240_000 }, async () => {
    const out = join(dir, 'report.pdf');
    const result = await trackerExport(
      ['report', '--campaign', 'ogp16', '--format', 'pdf', '--lang', 'fr', '--out', out],
      180_000,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString('utf8')).toMatch(/the dashboard names it ogp16-report-fr\.pdf\)\n$/);
    const file = await readFile(out);
    expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The same pages as the download (the PDF test reads those closely: export-report-pdf.test.ts).
    const pages = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length;
    expect(pages(file)).toBeGreaterThanOrEqual(2);
    expect(pages(file)).toBe(pages(await downloaded('report.pdf?lang=fr')));
  });

  test('posts as JSON on stdout, leaderboard as XLSX with --metric', async () => {
    const posts = await trackerExport(['posts', '--campaign', 'ogp16', '--format', 'json']);
    expect(posts.code).toBe(0);
    const body = JSON.parse(posts.stdout.toString('utf8')) as { rows: Array<{ post_id: string }> };
    const expected = JSON.parse((await downloaded('posts.json')).toString('utf8')) as typeof body;
    expect(body.rows).toEqual(expected.rows);

    const out = join(dir, 'board.xlsx');
    const board = await trackerExport([
      'leaderboard',
      '--campaign',
      'ogp16',
      '--format',
      'xlsx',
      '--metric',
      'engagement',
      '--out',
      out,
    ]);
    expect(board.code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const sheet = defined(book.worksheets[0]);
    const api = (await (
      await app.request('/api/v1/campaigns/ogp16/leaderboard?metric=engagement&limit=500')
    ).json()) as RankedLeaderboardJson;
    const read: unknown[][] = [];
    sheet.eachRow((row, index) => {
      if (index > 1) {
        read.push([row.getCell(1).value, row.getCell(2).value, row.getCell(3).value, row.getCell(6).value]);
      }
    });
    expect(read).toEqual(api.rows.map((row) => [row.rank, `@${row.username}`, row.network, row.value]));
  });

  test.each([
    [
      ['followers', '--campaign', 'ogp16', '--format', 'csv', '--interval', 'week'],
      /^tracker: --interval: expected one of: hour, day$/,
    ],
    [
      ['posts', '--campaign', 'ogp16', '--format', 'png', '--out', 'x.png'],
      /^tracker: --format: png is available for followers and overview/,
    ],
    [['posts', '--campaign', 'nope', '--format', 'csv'], /^tracker: no campaign with slug "nope"$/],
    [
      ['tweets', '--campaign', 'ogp16', '--format', 'csv'],
      /^tracker: <what>: expected one of: followers, leaderboard, posts, overview, report$/,
    ],
    [
      ['report', '--campaign', 'ogp16', '--format', 'csv'],
      /^tracker: --format: the report is a PDF; use pdf$/,
    ],
    [
      ['posts', '--campaign', 'ogp16', '--format', 'pdf', '--out', 'x.pdf'],
      /^tracker: --format: pdf is the report's format; use csv, xlsx or json for posts$/,
    ],
    [
      ['posts', '--campaign', 'ogp16', '--format', 'csv', '--from', '2016-12-08'],
      /^tracker: --from: expected an ISO 8601 date-time/,
    ],
  ])('%j: one line, exit 1', async (args, message) => {
    const result = await trackerExport(args);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
