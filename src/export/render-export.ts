import { PassThrough } from 'node:stream';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { dictionaries, type Lang } from '../present/i18n.ts';
import type { Interval, Metric, NetworkChoice, Scope } from '../rank/metrics.ts';
import { aboutTable } from './about.ts';
import { csvChunks } from './csv.ts';
import {
  accountFollowers,
  countPosts,
  followerChartSeries,
  followerGrowthTable,
  followerSummaryTable,
  leaderboardTable,
  overviewTables,
  postsTable,
  type TableKind,
  tableKinds,
} from './datasets.ts';
import { jsonRow, type Table } from './table.ts';

/** The table exports, and the PDF report (`report`, in `pdf` only). */
export const exportKinds = [...tableKinds, 'report'] as const;
export type ExportKind = (typeof exportKinds)[number];

export const exportFormats = ['csv', 'xlsx', 'json', 'png', 'pdf'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** What can be drawn: the exports that are a curve over time. */
export const pngKinds: readonly ExportKind[] = ['followers', 'overview'];

export interface ExportRequest {
  what: ExportKind;
  format: ExportFormat;
  from: Date;
  to: Date;
  interval: Interval;
  /** usernames (followers, posts); default: the home account and the watchlist, or every author */
  accounts?: string[] | undefined;
  metric: Metric;
  scope: Scope;
  /** the accounts and posts of one network, or of every network */
  network: NetworkChoice;
  limit: number;
  lang: Lang;
  /** the application clock: movement and "exported at" */
  asOf: Date;
  /** posts read so far (posts export): called after each page */
  onProgress?: ((written: number) => void) | undefined;
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** A request the export cannot serve, as one line (the CLI prints it; the API answers it as a 400). */
export function checkExportRequest(request: Pick<ExportRequest, 'what' | 'format'>): void {
  if ((request.what === 'report') !== (request.format === 'pdf')) {
    throw new ExportError(
      request.format === 'pdf'
        ? `format: pdf is the report's format; use csv, xlsx or json for ${request.what}`
        : 'format: the report is a PDF; use pdf',
    );
  }
  if (request.format === 'png' && !pngKinds.includes(request.what)) {
    throw new ExportError(
      `format: png is available for ${pngKinds.join(' and ')} (a chart over time); use csv, xlsx or json for ${request.what}`,
    );
  }
}

export const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  pdf: 'application/pdf',
};

/** `ogp16-followers-day.xlsx`: campaign, export and its main parameter (slugs are [a-z0-9-]). */
export function exportFileName(campaign: Campaign, request: ExportRequest): string {
  const detail =
    request.what === 'followers'
      ? `-${request.interval}`
      : request.what === 'leaderboard'
        ? `-${request.metric}`
        : request.what === 'report'
          ? `-${request.lang}`
          : '';
  const network = request.network === 'all' ? '' : `-${request.network}`;
  return `${campaign.slug}-${request.what}${detail}${network}.${request.format}`;
}

/** How many rows the export will write, when it is worth a progress bar (the posts). */
export async function exportSize(db: Db, campaign: Campaign, request: ExportRequest): Promise<number | null> {
  return request.what === 'posts' ? countPosts(db, campaign, request) : null;
}

/**
 * The export, chunk by chunk: the CLI writes the chunks to a file or stdout, the dashboard streams
 * them as a download. The posts are read page by page as the chunks are taken, so a slow reader
 * holds back the reads (and the memory stays bounded).
 */
export async function* exportChunks(
  db: Db,
  campaign: Campaign,
  request: ExportRequest,
): AsyncGenerator<string | Uint8Array> {
  checkExportRequest(request);
  if (request.what === 'report') {
    const [{ reportContent }, { reportPdfChunks }] = await Promise.all([
      import('./report-content.ts'),
      import('./pdf-report.ts'),
    ]);
    yield* reportPdfChunks(await reportContent(db, campaign, request), request.lang);
    return;
  }
  if (request.format === 'png') {
    yield await exportPng(db, campaign, request);
    return;
  }
  const tables = await exportTables(db, campaign, request.what, request);
  if (request.format === 'csv') {
    const [main] = tables;
    if (main) yield* csvChunks(main, campaign.timezone);
    return;
  }
  const about = await aboutTable(db, campaign, request, request.asOf);
  if (request.format === 'json') {
    yield* jsonChunks(campaign, request, [...tables, about]);
    return;
  }
  yield* workbookChunks([...tables, about], campaign.timezone);
}

async function exportTables(
  db: Db,
  campaign: Campaign,
  what: TableKind,
  request: ExportRequest,
): Promise<Table[]> {
  switch (what) {
    case 'followers': {
      const accounts = await accountFollowers(db, campaign, request);
      return [followerGrowthTable(accounts), followerSummaryTable(accounts)];
    }
    case 'leaderboard':
      return [await leaderboardTable(db, campaign, request)];
    case 'posts':
      return [postsTable(db, campaign, request)];
    case 'overview':
      return overviewTables(db, campaign, request);
  }
}

async function* jsonChunks(
  campaign: Campaign,
  request: ExportRequest,
  tables: Table[],
): AsyncGenerator<string> {
  const head = {
    campaign: campaign.slug,
    export: request.what,
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    timezone: campaign.timezone,
    exportedAt: request.asOf.toISOString(),
    network: request.network,
    ...(request.what === 'followers' ? { interval: request.interval } : {}),
    ...(request.what === 'leaderboard' ? { metric: request.metric, scope: request.scope } : {}),
  };
  yield JSON.stringify(head).slice(0, -1);
  for (const table of tables) {
    yield `,${JSON.stringify(table.key)}:[`;
    let first = true;
    let chunk = '';
    for await (const row of table.rows) {
      chunk += `${first ? '' : ','}\n${JSON.stringify(jsonRow(table.columns, row))}`;
      first = false;
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}\n]`;
  }
  yield '}\n';
}

/** exceljs writes to a Node stream; its output is handed on chunk by chunk. */
async function* workbookChunks(tables: Table[], timezone: string): AsyncGenerator<Uint8Array> {
  // Loaded when needed: exceljs (like Chart.js and the canvas for PNG) is heavy for a CSV export.
  const { writeWorkbook } = await import('./xlsx.ts');
  const out = new PassThrough();
  const written = writeWorkbook(out, tables, timezone).then(
    () => out.end(),
    (error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  for await (const chunk of out) yield chunk as Uint8Array;
  await written;
}

async function exportPng(db: Db, campaign: Campaign, request: ExportRequest): Promise<Buffer> {
  const { renderPng } = await import('./png.ts');
  const t = dictionaries[request.lang];
  const frame = {
    lang: request.lang,
    timeZone: campaign.timezone,
    from: request.from.toISOString(),
    to: request.to.toISOString(),
    xLabel: t.axisTime(campaign.timezone),
  };
  if (request.what === 'followers') {
    const accounts = await accountFollowers(db, campaign, request);
    return renderPng({
      ...frame,
      interval: request.interval,
      title: t.followersChartTitle(campaign.home_username, request.interval),
      yLabel: t.axisFollowersGained,
      series: followerChartSeries(request.lang, accounts),
    });
  }
  const [, perHour] = await overviewTables(db, campaign, request);
  const byQuery = new Map<string, Array<{ at: string; value: number }>>();
  for await (const row of perHour?.rows ?? []) {
    const points = byQuery.get(String(row.query)) ?? [];
    points.push({ at: (row.hour as Date).toISOString(), value: Number(row.posts) });
    byQuery.set(String(row.query), points);
  }
  return renderPng({
    ...frame,
    interval: 'hour',
    title: t.postsPerQueryTitle('hour'),
    yLabel: t.axisPosts,
    series: [...byQuery.entries()].map(([label, points]) => ({ label, points })),
  });
}
