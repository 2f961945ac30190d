/**
 * Criterion 2 of the exports, by hand (CI stays fast without LibreOffice):
 *
 *   node bin/run-ts.js tests/scripts/libreoffice-roundtrip.ts [--small]
 *
 * Loads the demo campaign (the simulator's OGP 2016 scenario; --small for its 600-post version) in a
 * fresh schema of the test PostgreSQL, downloads its exports from the dashboard, has LibreOffice
 * (`soffice --headless --convert-to`, Debian's libreoffice-calc) open each one — the XLSX converted
 * to CSV sheet by sheet, the CSV to XLSX — and compares what LibreOffice read with the ranking API.
 * Exits 1 on the first difference or conversion error.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type {
  AccountSeriesJson,
  CampaignOverviewJson,
  RankedLeaderboardJson,
} from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { loadDemoCampaign } from '../support/export-fixtures.ts';
import { createTestDatabase } from '../support/services.ts';

const run = promisify(execFile);
const small = process.argv.includes('--small');
const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) problems.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

const work = await mkdtemp(join(tmpdir(), 'export-libreoffice-'));
const profile = join(work, 'profile');
/** LibreOffice in its own profile (a desktop session's would lock it), headless, as Debian ships it. */
async function soffice(args: string[]): Promise<string> {
  const { stdout, stderr } = await run(
    'soffice',
    [`-env:UserInstallation=file://${profile}`, '--headless', ...args],
    { timeout: 300_000 },
  );
  if (/error/i.test(stderr.replace(/Warning: failed to launch javaldx.*\n?/g, ''))) throw new Error(stderr);
  return stdout;
}

const t = await createTestDatabase();
try {
  const started = Date.now();
  const demo = await loadDemoCampaign(
    t.db,
    small ? { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 } : {},
  );
  console.log(
    `demo campaign loaded in ${((Date.now() - started) / 1000).toFixed(1)} s (${demo.scenario.posts.length} posts generated)`,
  );
  const app = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true });
  const api = '/api/v1/campaigns/ogp16';
  const get = async (path: string) => {
    const response = await app.request(path);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return Buffer.from(await response.arrayBuffer());
  };
  const json = async <T>(path: string) => JSON.parse((await get(path)).toString('utf8')) as T;
  const downloads = {
    'followers.xlsx': '/export/followers.xlsx?interval=day',
    'followers.csv': '/export/followers.csv?interval=hour',
    'leaderboard.xlsx': '/export/leaderboard.xlsx?metric=posts',
    'leaderboard.csv': '/export/leaderboard.csv?metric=engagement',
    'posts.csv': '/export/posts.csv',
    'posts.xlsx': '/export/posts.xlsx',
    'overview.xlsx': '/export/overview.xlsx',
  };
  for (const [name, path] of Object.entries(downloads))
    await writeFile(join(work, name), await get(`${api}${path}`));
  console.log(`exports written to ${work}`);

  // XLSX → CSV, every sheet (filter options: comma, quote, UTF-8, full precision, all sheets).
  const toCsv = join(work, 'from-xlsx');
  await mkdir(toCsv);
  for (const name of Object.keys(downloads).filter((file) => file.endsWith('.xlsx'))) {
    await soffice([
      '--convert-to',
      'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
      '--outdir',
      toCsv,
      join(work, name),
    ]);
  }
  const sheet = async (file: string) =>
    parse(await readFile(join(toCsv, file), 'utf8'), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
  console.log(`LibreOffice wrote: ${(await readdir(toCsv)).sort().join(', ')}`);

  const watched = [demo.scenario.homeUsername, ...demo.scenario.watchlist];
  const growth = await sheet('followers-Follower growth.csv');
  for (const username of watched) {
    const series = await json<AccountSeriesJson>(
      `${api}/accounts/${username}/series?metric=followers&interval=day`,
    );
    const rows = growth.filter((row) => row.account === `@${username}`);
    check(
      JSON.stringify(rows.map((row) => Number(row.followers))) ===
        JSON.stringify(series.points.map((p) => p.value)),
      `followers.xlsx: @${username}'s followers per day as LibreOffice reads them equal the series API (${rows.length} days)`,
    );
    check(
      rows.every(
        (row, index) =>
          row['interval start (UTC)'] === series.points[index]?.at.slice(0, 19).replace('T', ' '),
      ),
      `followers.xlsx: @${username}'s days are dates LibreOffice reads as the API's instants`,
    );
  }
  const summary = await sheet('followers-Headline figures.csv');
  for (const metric of ['followers', 'follower_growth', 'follower_growth_pct'] as const) {
    const board = await json<RankedLeaderboardJson>(
      `${api}/leaderboard?metric=${metric}&scope=watchlist&limit=500`,
    );
    const column = {
      followers: 'followers at end',
      follower_growth: 'follower growth',
      follower_growth_pct: 'follower growth %',
    }[metric];
    check(
      board.rows.every((row) => {
        const read = summary.find((line) => line.account === `@${row.username}`)?.[column];
        return read !== undefined && close(Number(read), row.value);
      }),
      `followers.xlsx: headline figures (${metric}) equal the leaderboard API`,
    );
  }
  const about = await sheet('followers-About these numbers.csv');
  check(
    about.some((row) => row.topic === 'coverage gap'),
    'followers.xlsx: About these numbers lists the coverage gaps',
  );

  // The API pages at 500 rows; the export holds the whole board: its first 500 rows, and its size.
  const postsBoard = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=posts&limit=500`);
  const boardSheet = await sheet(
    (await readdir(toCsv)).find((file) => file.startsWith('leaderboard-Leaderboard')) ?? '',
  );
  check(
    boardSheet.length === postsBoard.total &&
      postsBoard.rows.every((row, index) => {
        const read = boardSheet[index];
        return (
          Number(read?.rank) === row.rank &&
          read?.account === `@${row.username}` &&
          read?.['account id'] === row.accountId &&
          Number(read?.posts) === row.value
        );
      }),
    `leaderboard.xlsx: ${boardSheet.length} rows (the API's total), ranks, usernames, 19-digit ids and values equal the API`,
  );
  const overview = await json<CampaignOverviewJson>(`${api}/overview`);
  const totals = new Map((await sheet('overview-Totals.csv')).map((row) => [row.figure, Number(row.value)]));
  check(
    totals.get('posts, replies and quotes') === overview.posts &&
      totals.get('engagement received') === overview.engagement &&
      totals.get('accounts ranked by posts') === overview.headline.total,
    `overview.xlsx: totals equal the overview API (${overview.posts} posts, ${overview.engagement} engagement)`,
  );
  const postsSheet = await sheet('posts-Posts.csv');
  const postsCsv = parse(await readFile(join(work, 'posts.csv'), 'utf8'), {
    columns: true,
    bom: true,
  }) as Array<Record<string, string>>;
  check(
    postsSheet.length === postsCsv.length &&
      postsSheet.every((row, index) => row['post id'] === postsCsv[index]?.['post id']?.trim()),
    `posts.xlsx: ${postsSheet.length} posts, ids digit for digit`,
  );
  check(
    demo.hostile.postIds.every((id) => {
      const read = postsSheet.find((row) => row['post id'] === id);
      const original = postsCsv.find((row) => row['post id']?.trim() === id);
      // Leading whitespace (a tab, a CR) does not survive LibreOffice's reading of a string cell.
      const text = original?.text?.replace(/^'/, '').replace(/\r\n?/g, '\n').trim();
      return read !== undefined && read.text?.trim() === text;
    }),
    'posts.xlsx: formula-like texts read back as the texts themselves (=1+1 stays "=1+1", not 2)',
  );

  // CSV → XLSX, as LibreOffice opens a CSV, at its most eager (UTF-8, comma; detect special numbers,
  // no trimming, evaluate formulas), then read back with exceljs: no formula anywhere, the API's values.
  const toXlsx = join(work, 'from-csv');
  await mkdir(toXlsx);
  for (const name of Object.keys(downloads).filter((file) => file.endsWith('.csv'))) {
    await soffice([
      '--infilter=CSV:44,34,76,1,,0,false,true,false,false,false,-1,true',
      '--convert-to',
      'xlsx',
      '--outdir',
      toXlsx,
      join(work, name),
    ]);
  }
  const book = async (name: string) => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(toXlsx, name));
    const rows: ExcelJS.Cell[][] = [];
    workbook.worksheets[0]?.eachRow((row) => {
      const cells: ExcelJS.Cell[] = [];
      row.eachCell({ includeEmpty: true }, (cell) => {
        cells.push(cell);
      });
      rows.push(cells);
    });
    return rows;
  };
  for (const name of ['followers.xlsx', 'leaderboard.xlsx', 'posts.xlsx']) {
    const rows = await book(name);
    const formulas = rows.flat().filter((cell) => cell.type === ExcelJS.ValueType.Formula);
    check(
      formulas.length === 0,
      `${name.replace('xlsx', 'csv')}: LibreOffice opened ${rows.length - 1} rows, no cell became a formula`,
    );
  }
  const followerRows = await book('followers.xlsx');
  const home = demo.scenario.homeUsername;
  const homeSeries = await json<AccountSeriesJson>(
    `${api}/accounts/${home}/series?metric=followers&interval=hour`,
  );
  const homeRead = followerRows.filter((row) => row[0]?.value === `'@${home}`);
  check(
    JSON.stringify(homeRead.map((row) => row[4]?.value)) ===
      JSON.stringify(homeSeries.points.map((p) => p.value)),
    `followers.csv: LibreOffice reads @${home}'s ${homeRead.length} hourly readings as the series API's numbers`,
  );
  const engagement = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=engagement&limit=500`);
  const boardRows = (await book('leaderboard.xlsx')).slice(1);
  check(
    boardRows.length === engagement.total &&
      engagement.rows.every((row, index) => {
        const read = boardRows[index];
        return (
          read?.[0]?.value === row.rank &&
          String(read?.[3]?.value).trim() === row.accountId &&
          read?.[3]?.type === ExcelJS.ValueType.String &&
          read?.[4]?.value === row.value
        );
      }),
    `leaderboard.csv: LibreOffice reads ${boardRows.length} ranks, values and ids (as text, not rounded) as the API's`,
  );
  await app.close();
} finally {
  await t.drop();
  if (problems.length === 0) await rm(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.log(`\n${problems.length} difference(s); files kept in ${work}`);
  process.exit(1);
}
console.log('\nLibreOffice opened every export and read back the API numbers.');
process.exit(0);
