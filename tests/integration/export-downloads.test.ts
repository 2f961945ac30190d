import { mkdir, writeFile } from 'node:fs/promises';
import { loadImage } from '@napi-rs/canvas';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type {
  AccountSeriesJson,
  CampaignOverviewJson,
  ErrorJson,
  RankedLeaderboardJson,
} from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { localParts } from '../../src/export/table.ts';
import { metrics } from '../../src/rank/metrics.ts';
import {
  type DemoCampaign,
  hostileName,
  hostileTexts,
  loadDemoCampaign,
} from '../support/export-fixtures.ts';
import { createTestDatabase, defined, type TestDatabase } from '../support/services.ts';

/**
 * The dashboard's downloads of the demo campaign (the simulator's OGP 2016 scenario, small), read
 * back with real parsers — csv-parse and exceljs — and compared with the ranking API's answers.
 */

let t: TestDatabase;
let demo: DemoCampaign;
let app: ReturnType<typeof createDashboard>;
const api = '/api/v1/campaigns/ogp16';

beforeAll(async () => {
  t = await createTestDatabase();
  demo = await loadDemoCampaign(t.db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function download(path: string): Promise<{ response: Response; body: Buffer }> {
  const response = await app.request(path);
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

async function json<T>(path: string): Promise<T> {
  const response = await app.request(path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

function csvRecords(body: Buffer): Array<Record<string, string>> {
  return parse(body.toString('utf8'), { bom: true, columns: true, skip_empty_lines: true });
}

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  return book;
}

/** A sheet's rows as objects keyed by the header row, with exceljs's cells. */
function sheetRows(sheet: ExcelJS.Worksheet): Array<Record<string, ExcelJS.Cell>> {
  const headers: string[] = [];
  sheet.getRow(1).eachCell((cell, index) => {
    headers[index] = String(cell.value);
  });
  const rows: Array<Record<string, ExcelJS.Cell>> = [];
  sheet.eachRow((row, index) => {
    if (index === 1) return;
    const record: Record<string, ExcelJS.Cell> = {};
    headers.forEach((header, column) => {
      if (header) record[header] = row.getCell(column);
    });
    rows.push(record);
  });
  return rows;
}

const watched = () => [demo.scenario.homeUsername, ...demo.scenario.watchlist];
const close = (value: number | null) => (value === null ? null : Math.round(value * 1e6) / 1e6);
const numberOrNull = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text));

describe('follower growth', () => {
  test.each(['day', 'hour'] as const)(
    'CSV per %s: the series API, with change and change %',
    async (interval) => {
      const { response, body } = await download(`${api}/export/followers.csv?interval=${interval}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="ogp16-followers-${interval}.csv"`,
      );
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const records = csvRecords(body);
      const board = await json<RankedLeaderboardJson>(
        `${api}/leaderboard?metric=follower_growth&scope=watchlist&limit=500`,
      );
      for (const username of watched()) {
        const series = await json<AccountSeriesJson>(
          `${api}/accounts/${username}/series?metric=followers&interval=${interval}`,
        );
        // The apostrophe makes the username inert; the readable name follows it.
        const rows = records.filter((record) => record.account === `'@${username}`);
        expect(series.points.length).toBeGreaterThan(interval === 'day' ? 2 : 60);
        expect(rows.map((row) => Number(row.followers))).toEqual(series.points.map((point) => point.value));
        expect(rows.map((row) => `${row['interval start (UTC)']?.replace(' ', 'T')}.000Z`)).toEqual(
          series.points.map((point) => point.at),
        );
        for (const [index, row] of rows.entries()) {
          const local = localParts(new Date(defined(series.points[index]).at), 'Europe/Paris');
          expect(row['interval start: local date (Europe/Paris)']).toBe(local.date);
          expect(row['interval start: local time (Europe/Paris)']).toBe(local.time);
          if (index === 0) continue;
          const previous = Number(rows[index - 1]?.followers);
          expect(Number(row.change)).toBe(Number(row.followers) - previous);
          expect(close(Number(row['change %']))).toBe(
            close(((Number(row.followers) - previous) / previous) * 100),
          );
        }
        // The changes add up to the leaderboard's growth over the window.
        const growth = rows.reduce((sum, row) => sum + Number(row.change), 0);
        expect(growth).toBe(board.rows.find((row) => row.username === username)?.value);
      }
    },
  );

  test('XLSX: typed cells, frozen header, the headline sheet equal to the leaderboard, About these numbers', async () => {
    const { response, body } = await download(`${api}/export/followers.xlsx?interval=day`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = await workbook(body);
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual([
      'Follower growth',
      'Headline figures',
      'About these numbers',
    ]);
    const growth = defined(book.getWorksheet('Follower growth'));
    expect(growth.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(growth.getColumn(1).width).toBeGreaterThan(10);
    const rows = sheetRows(growth);
    const home = demo.scenario.homeUsername;
    const series = await json<AccountSeriesJson>(
      `${api}/accounts/${home}/series?metric=followers&interval=day`,
    );
    const homeRows = rows.filter((row) => row.account?.value === `@${home}`);
    expect(homeRows.map((row) => row.followers?.value)).toEqual(series.points.map((point) => point.value));
    for (const [index, row] of homeRows.entries()) {
      expect(row.followers?.type).toBe(ExcelJS.ValueType.Number);
      const local = defined(row['interval start (Europe/Paris)']);
      expect(local.type).toBe(ExcelJS.ValueType.Date);
      // The campaign's wall clock: midnight in Paris, whatever the UTC instant.
      const at = new Date(defined(series.points[index]).at);
      const parts = localParts(at, 'Europe/Paris');
      expect((local.value as Date).toISOString()).toBe(`${parts.date}T${parts.time}.000Z`);
      expect((defined(row['interval start (UTC)']).value as Date).toISOString()).toBe(at.toISOString());
    }

    const summary = sheetRows(defined(book.getWorksheet('Headline figures')));
    for (const metric of ['followers', 'follower_growth', 'follower_growth_pct'] as const) {
      const board = await json<RankedLeaderboardJson>(
        `${api}/leaderboard?metric=${metric}&scope=watchlist&limit=500`,
      );
      const column = {
        followers: 'followers at end',
        follower_growth: 'follower growth',
        follower_growth_pct: 'follower growth %',
      }[metric];
      expect(summary.map((row) => [row.account?.value, close(row[column]?.value as number)]).sort()).toEqual(
        board.rows.map((row) => [`@${row.username}`, close(row.value)]).sort(),
      );
    }
    const overview = await json<CampaignOverviewJson>(`${api}/overview`);
    const homeSummary = summary.find((row) => row['home account']?.value === true);
    expect(homeSummary?.['followers at end']?.value).toBe(overview.headline.followers);
    expect(homeSummary?.['follower growth']?.value).toBe(overview.headline.followerGrowth);

    const about = sheetRows(defined(book.getWorksheet('About these numbers')));
    const topics = about.map((row) => String(row.topic?.value));
    expect(topics).toEqual(
      expect.arrayContaining(['window', 'data collected', 'follower growth', 'coverage gap']),
    );
    const gap = about.find((row) => row.topic?.value === 'coverage gap');
    expect(String(gap?.['about these numbers']?.value)).toMatch(/rate limit/);
    const collected = about.find((row) => row.topic?.value === 'data collected');
    expect(String(collected?.['about these numbers']?.value)).toContain('2016-12-10');
  });

  test('JSON: the same rows, ids and instants as strings', async () => {
    const body = await json<{ rows: Array<{ account: string; followers: number }>; summary: unknown[] }>(
      `${api}/export/followers.json?interval=day`,
    );
    const csv = csvRecords((await download(`${api}/export/followers.csv?interval=day`)).body);
    expect(body.rows.map((row) => [row.account, row.followers])).toEqual(
      csv.map((row) => [row.account?.slice(1), Number(row.followers)]),
    );
    expect(body.summary).toHaveLength(watched().length);
  });

  test('PNG: a 1600×900 chart with a white background and lines in its plot area', async () => {
    const { response, body } = await download(`${api}/export/followers.png?interval=hour`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    await mkdir('test-results', { recursive: true });
    await writeFile('test-results/export-followers.png', body);
    const image = await loadImage(body);
    expect([image.width, image.height]).toEqual([1600, 900]);
    const { createCanvas } = await import('@napi-rs/canvas');
    const canvas = createCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const at = (x: number, y: number) => [
      ...pixels.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4),
    ];
    expect(at(2, 2)).toEqual([255, 255, 255, 255]);
    // The plot area (inside the axes, title and legend): coloured lines, not a blank frame.
    let coloured = 0;
    for (let y = 120; y < 700; y++) {
      for (let x = 200; x < 1500; x++) {
        const [r = 0, g = 0, b = 0] = at(x, y);
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
      }
    }
    expect(coloured).toBeGreaterThan(2000);
    // The home account's colour, the dashboard's first: #1d5fa8.
    let home = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] === 0x1d && pixels[i + 1] === 0x5f && pixels[i + 2] === 0xa8) home++;
    }
    expect(home).toBeGreaterThan(500);
  });
});

describe('leaderboards', () => {
  test.each(metrics)('%s: CSV and XLSX rows equal the ranking API', async (metric) => {
    const board = await json<RankedLeaderboardJson>(
      `${api}/leaderboard?metric=${metric}&scope=all&limit=500`,
    );
    expect(board.rows.length).toBeGreaterThan(0);
    const csv = csvRecords((await download(`${api}/export/leaderboard.csv?metric=${metric}`)).body);
    expect(
      csv.map((row) => [Number(row.rank), row.account, row['account id'], close(Number(row[metric]))]),
    ).toEqual(
      board.rows.map((row) => [row.rank, `'@${row.username}`, `\t${row.accountId}`, close(row.value)]),
    );
    expect(csv.map((row) => [numberOrNull(row['rank an hour before']), row['home account']])).toEqual(
      board.rows.map((row) => [row.rankHourAgo, String(row.isHome)]),
    );
    const book = await workbook((await download(`${api}/export/leaderboard.xlsx?metric=${metric}`)).body);
    const rows = sheetRows(defined(book.worksheets[0]));
    expect(
      rows.map((row) => [
        row.rank?.value,
        row.account?.value,
        row['account id']?.value,
        close(row[metric]?.value as number),
      ]),
    ).toEqual(board.rows.map((row) => [row.rank, `@${row.username}`, row.accountId, close(row.value)]));
    for (const row of rows) expect(row['account id']?.type).toBe(ExcelJS.ValueType.String);
  });

  test('ids stay exact: 19-digit ids come back digit for digit', async () => {
    const csv = csvRecords((await download(`${api}/export/leaderboard.csv?metric=posts`)).body);
    const long = csv.map((row) => row['account id']?.trim() ?? '').filter((id) => id.length >= 18);
    expect(long.length).toBeGreaterThan(0);
    const board = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=posts&limit=500`);
    expect(long).toEqual(board.rows.map((row) => row.accountId).filter((id) => id.length >= 18));
  });
});

describe('posts', () => {
  test('CSV: every campaign post once, adding up to the leaderboards; line breaks inside their cell', async () => {
    const csv = csvRecords((await download(`${api}/export/posts.csv`)).body);
    const ids = csv.map((row) => row['post id']?.trim());
    expect(new Set(ids).size).toBe(ids.length);
    for (const metric of ['posts', 'reposts', 'engagement', 'impressions'] as const) {
      const board = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=${metric}&limit=500`);
      const sums = new Map<string, number>();
      for (const row of csv) {
        const repost = row.kind === 'repost';
        const value =
          metric === 'posts'
            ? Number(!repost)
            : metric === 'reposts'
              ? Number(repost)
              : repost
                ? 0
                : Number(row[metric] || 0);
        sums.set(defined(row.account), (sums.get(defined(row.account)) ?? 0) + value);
      }
      const ranked = [...sums.entries()].filter(([, value]) => value > 0);
      expect(new Map(ranked), metric).toEqual(
        new Map(board.rows.map((row) => [`'@${row.username}`, row.value])),
      );
    }
    const multiline = csv.find((row) => row.text?.startsWith('two lines'));
    expect(multiline?.text).toBe(hostileTexts[6]);
  });

  test('formula-like texts and names never come back as formulas', async () => {
    const csv = csvRecords((await download(`${api}/export/posts.csv`)).body);
    for (const [index, text] of hostileTexts.entries()) {
      const row = csv.find((record) => record['post id']?.trim() === demo.hostile.postIds[index]);
      const expected = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      expect(row?.text, JSON.stringify(text)).toBe(expected);
    }
    const book = await workbook((await download(`${api}/export/posts.xlsx`)).body);
    const rows = sheetRows(defined(book.getWorksheet('Posts')));
    for (const [index, text] of hostileTexts.entries()) {
      const row = rows.find((record) => record['post id']?.value === demo.hostile.postIds[index]);
      expect(row?.text?.type, JSON.stringify(text)).toBe(ExcelJS.ValueType.String);
      // XML keeps no carriage return: a line break is written as LF.
      expect(row?.text?.value).toBe(text.replace(/\r\n?/g, '\n'));
      expect(row?.text?.formula).toBeUndefined();
    }
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
    }
    const board = await workbook((await download(`${api}/export/leaderboard.xlsx?metric=posts`)).body);
    const named = sheetRows(defined(board.worksheets[0])).find((row) => row.name?.value === hostileName);
    expect(named?.name?.type).toBe(ExcelJS.ValueType.String);
    const boardCsv = csvRecords((await download(`${api}/export/leaderboard.csv?metric=posts`)).body);
    expect(boardCsv.find((row) => row.account === `'@${demo.hostile.username}`)?.name).toBe(
      `'${hostileName}`,
    );
  });

  test('--accounts limits the posts to those authors; JSON streams the same posts', async () => {
    const home = demo.scenario.homeUsername;
    const body = await json<{ rows: Array<{ account: string; post_id: string }> }>(
      `${api}/export/posts.json?accounts=${home}`,
    );
    const board = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=posts`);
    const reposts = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=reposts&limit=500`);
    expect(new Set(body.rows.map((row) => row.account))).toEqual(new Set([`@${home}`]));
    expect(body.rows).toHaveLength(
      (board.home?.value ?? 0) + (reposts.rows.find((row) => row.username === home)?.value ?? 0),
    );
  });
});

describe('overview', () => {
  test('XLSX totals and posts per hour equal the overview API', async () => {
    const overview = await json<CampaignOverviewJson>(`${api}/overview`);
    const book = await workbook((await download(`${api}/export/overview.xlsx`)).body);
    const totals = new Map(
      sheetRows(defined(book.getWorksheet('Totals'))).map((row) => [
        String(row.figure?.value),
        row.value?.value,
      ]),
    );
    expect(totals.get('posts, replies and quotes')).toBe(overview.posts);
    expect(totals.get('engagement received')).toBe(overview.engagement);
    expect(totals.get('accounts that posted (any kind)')).toBe(overview.uniqueAuthors);
    expect(totals.get(`rank of @${demo.scenario.homeUsername} by posts`)).toBe(overview.headline.rank);
    expect(totals.get('accounts ranked by posts')).toBe(overview.headline.total);
    const perHour = sheetRows(defined(book.getWorksheet('Posts per hour')));
    expect(
      perHour.map((row) => [
        row.query?.value,
        (defined(row['hour (UTC)']).value as Date).toISOString(),
        row.posts?.value,
      ]),
    ).toEqual(
      overview.postsPerHour.flatMap((query) =>
        query.points.map((point) => [query.query, point.at, point.value]),
      ),
    );
  });
});

describe('the report page', () => {
  test.each(['en', 'fr'] as const)('%s: headline, chart, top 10 with the home row, totals', async (lang) => {
    const response = await app.request(`/campaigns/ogp16/report?lang=${lang}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const overview = await json<CampaignOverviewJson>(`${api}/overview`);
    const headline = lang === 'en' ? `n°${overview.headline.rank} of` : `n°${overview.headline.rank} sur`;
    expect(html).toContain(headline);
    expect(html).toContain(`/api/v1/campaigns/ogp16/export/followers.png?interval=hour&amp;lang=${lang}`);
    const board = await json<RankedLeaderboardJson>(`${api}/leaderboard?metric=posts&limit=10`);
    for (const row of board.rows) expect(html).toContain(`@${row.username}`);
    expect(html).toMatch(/<tr class="home">/);
    expect(html).toContain(lang === 'en' ? 'Campaign totals' : 'Totaux de la campagne');
    // The chart the page shows is served.
    expect((await app.request(`${api}/export/followers.png?interval=hour&lang=${lang}`)).status).toBe(200);
  });
});

describe('parameters are checked as the ranking API checks them', () => {
  test.each([
    ['interval=week', `${api}/export/followers.csv?interval=week`, /interval: expected one of: hour, day/],
    ['from not a date', `${api}/export/posts.csv?from=yesterday`, /from: expected an ISO 8601/],
    [
      'from after to',
      `${api}/export/posts.csv?from=2016-12-09T00:00:00Z&to=2016-12-08T00:00:00Z`,
      /from: expected an instant before to/,
    ],
    [
      'bad username',
      `${api}/export/followers.csv?accounts=ok,not-a-name`,
      /accounts: expected 1 to 100 handles/,
    ],
    ['metric', `${api}/export/leaderboard.csv?metric=likes`, /metric: expected one of: posts/],
    ['limit', `${api}/export/leaderboard.csv?limit=0`, /limit: expected an integer/],
    [
      'export kind',
      `${api}/export/tweets.csv`,
      /what: expected one of: followers, leaderboard, posts, overview/,
    ],
    ['format', `${api}/export/posts.docx`, /format: expected one of: csv, xlsx, json, png, pdf/],
    ['pdf of posts', `${api}/export/posts.pdf`, /format: pdf is the report's format/],
    ['report as csv', `${api}/export/report.csv`, /format: the report is a PDF; use pdf/],
    ['png of posts', `${api}/export/posts.png`, /format: png is available for followers and overview/],
  ])('%s: 400 invalid_parameter', async (_name, path, message) => {
    const response = await app.request(path);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorJson;
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toMatch(message);
  });

  test('an unknown campaign: 404 not_found', async () => {
    const response = await app.request('/api/v1/campaigns/nope/export/posts.csv');
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorJson).error.code).toBe('not_found');
  });
});
