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
import { intervals, metrics, networkChoices, scopes } from '../../../src/rank/metrics.ts';
import { campaignOr404 } from '../api-responses.ts';
import type { DashboardDeps } from '../app.ts';
import { invalidParameter } from '../middleware/errors.ts';
import { describeRoute } from '../openapi/route-docs.ts';
import { checkBuckets, checkWindow, instant, integerIn, oneOf, validQuery } from '../request-validation.ts';

/** An X username, a Bluesky handle (a domain) or a Mastodon `user@instance`; the @ is optional. */
const handle =
  /^@?([A-Za-z0-9_]{1,15}|[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,63}|[A-Za-z0-9_.]+@[A-Za-z0-9.-]+(:\d{1,5})?)$/;

/** `a,@b.bsky.social,c@mastodon.social`: handles, 100 at most, each naming its network by its form. */
const accountList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  )
  .refine((names) => names.length > 0 && names.length <= 100 && names.every((name) => handle.test(name)), {
    error:
      'expected 1 to 100 handles separated by commas (an X username, a Bluesky handle such as etalab.gouv.fr, a Mastodon user@instance)',
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
  network: oneOf(networkChoices).default('all'),
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
    network: oneOf(networkChoices).describe('the network the rows are of (all: every network)'),
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
