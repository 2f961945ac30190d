import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import type { Db } from '../../../src/db/database.ts';
import {
  checkExportRequest,
  contentTypes,
  ExportError,
  type ExportRequest,
  exportChunks,
  exportFileName,
  exportFormats,
  exportKinds,
} from '../../../src/export/render-export.ts';
import { languages } from '../../../src/present/i18n.ts';
import { intervals, metrics, scopes } from '../../../src/rank/metrics.ts';
import { campaignOr404 } from '../api-responses.ts';
import type { DashboardDeps } from '../app.ts';
import { invalidParameter } from '../middleware/errors.ts';
import { describeRoute } from '../openapi/route-docs.ts';
import { checkBuckets, checkWindow, instant, integerIn, oneOf, validQuery } from '../request-validation.ts';

const username = /^@?[A-Za-z0-9_]{1,15}$/;

/** `a,@b,c`: X usernames, 100 at most; the @ is optional. */
const accountList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .refine((names) => names.length > 0 && names.length <= 100 && names.every((name) => username.test(name)), {
    error: 'expected 1 to 100 X usernames separated by commas (1–15 letters, digits or _ each)',
  })
  .transform((names) => names.map((name) => name.replace(/^@/, '')));

/**
 * The parameters of an export, checked as the ranking API checks its own (dashboard/server/request-validation.ts): the
 * dashboard's download routes and `tracker export` both parse them with this schema.
 */
export const exportQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  interval: oneOf(intervals).default('day'),
  accounts: accountList.optional(),
  metric: oneOf(metrics).default('posts'),
  scope: oneOf(scopes).default('all'),
  // Every ranked account by default: the final leaderboard of a report is the whole board.
  limit: integerIn(1, 100_000).default(100_000),
  lang: oneOf(languages).default('en'),
});
export type ExportQuery = z.output<typeof exportQuery>;

/** The files a download can name (`followers.csv`, …): every kind in every format it comes in. */
const exportFiles = exportKinds.flatMap((kind) =>
  exportFormats
    .filter((format) => {
      try {
        checkExportRequest({ what: kind, format });
        return true;
      } catch {
        return false;
      }
    })
    .map((format) => `${kind}.${format}`),
);

/**
 * The JSON export (src/export/render-export.ts `jsonChunks`): the request, then each of the export's
 * tables under its key, one object per row keyed by the table's columns.
 */
const jsonExportSchema = z
  .object({
    campaign: z.string(),
    export: z.enum(exportKinds),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    timezone: z.string(),
    exportedAt: z.iso.datetime(),
    interval: oneOf(intervals).optional().describe('followers only'),
    metric: oneOf(metrics).optional().describe('leaderboard only'),
    scope: oneOf(scopes).optional().describe('leaderboard only'),
  })
  .catchall(z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))));

const binary = (type: string) => ({ type: 'string', contentMediaType: type });

const what = oneOf(exportKinds);
const format = oneOf(exportFormats);

/** The export a path and its query ask for, checked; a bad part is a 400 naming it. */
export async function exportRequest(
  db: Db,
  slug: string,
  parts: { what: string; format: string },
  query: ExportQuery,
  asOf: Date,
) {
  const kind = what.safeParse(parts.what);
  if (!kind.success) throw invalidParameter(`what: ${kind.error.issues[0]?.message}`);
  const type = format.safeParse(parts.format);
  if (!type.success) throw invalidParameter(`format: ${type.error.issues[0]?.message}`);
  const campaign = await campaignOr404(db, slug);
  const from = query.from ?? campaign.window_start;
  const to = query.to ?? campaign.window_end;
  checkWindow(from, to);
  if (kind.data === 'followers') checkBuckets(from, to, query.interval);
  const request: ExportRequest = {
    ...query,
    what: kind.data,
    format: type.data,
    from,
    to,
    asOf,
  };
  try {
    checkExportRequest(request);
  } catch (error) {
    if (error instanceof ExportError) throw invalidParameter(error.message);
    throw error;
  }
  return { campaign, request };
}

/**
 * `GET /campaigns/:slug/export/:what.:format` (under /api/v1): the exports of `tracker export` as
 * downloads, streamed as they are written. Errors found before the first byte (bad parameters, an
 * unknown campaign, a failed first read) are the API's JSON errors.
 */
export function exportRoutes({ db, clock, log }: DashboardDeps): Hono {
  const describe = describeRoute({
    summary: 'Download an export: the file names what (followers, posts…) and the format',
    description:
      "The exports of `tracker export`, streamed as they are written; the media type follows the file's extension. " +
      'An error after the first byte ends the download short (and is logged).',
    params: { file: { description: '`<what>.<format>`', schema: { type: 'string', enum: exportFiles } } },
    responses: {
      200: {
        description: 'the file, as an attachment',
        headers: {
          'Content-Disposition': {
            description: 'attachment; filename="<slug>-<what>[-<detail>].<format>"',
            schema: { type: 'string' },
          },
        },
        content: Object.fromEntries(
          exportFormats.map((format) => {
            const type = contentTypes[format];
            if (format === 'json') return [type, jsonExportSchema];
            return [type, type.startsWith('text/') ? { type: 'string' } : binary(type)];
          }),
        ),
      },
    },
  });

  return new Hono().get('/campaigns/:slug/export/:file', describe, validQuery(exportQuery), async (c) => {
    const [kind = '', type = ''] = c.req.param('file').split('.', 2);
    const { campaign, request } = await exportRequest(
      db,
      c.req.param('slug'),
      { what: kind, format: type },
      c.req.valid('query'),
      clock.now(),
    );
    const chunks = exportChunks(db, campaign, request);
    const first = await chunks.next();
    c.header('Content-Type', contentTypes[request.format]);
    c.header('Content-Disposition', `attachment; filename="${exportFileName(campaign, request)}"`);
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    return stream(
      c,
      async (out) => {
        if (!first.done) await out.write(first.value);
        for await (const chunk of chunks) {
          if (out.aborted) break;
          await out.write(chunk);
        }
      },
      async (error, out) => {
        // Headers are gone: the download ends short, and the log says why.
        log?.error({ err: error, path: c.req.path }, 'export failed while streaming');
        await out.close();
      },
    );
  });
}
