import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { SingleBar } from 'cli-progress';
import { ApiError, describeIssues } from '../../dashboard/server/middleware/errors.ts';
import { exportQuery, exportRequest } from '../../dashboard/server/routes/export.ts';
import { clockFrom } from '../clock.ts';
import type { Config } from '../config.ts';
import { exportChunks, exportFileName, exportSize } from '../export/render-export.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

export interface ExportCommandOptions {
  what: string;
  campaign: string;
  format: string;
  from?: string;
  to?: string;
  interval?: string;
  accounts?: string;
  metric?: string;
  scope?: string;
  network?: string;
  limit?: string;
  lang?: string;
  out?: string;
  progress: boolean;
}

/**
 * `tracker export <what> --campaign <slug> --format …`: the dashboard's downloads, to a file or
 * stdout. Parameters are checked by the download route's own schema, so a value the API refuses
 * is refused here with the same words. Large exports show a progress bar on stderr.
 */
export async function runExport(config: Config, options: ExportCommandOptions, say: (line: string) => void) {
  const given = Object.fromEntries(
    (['from', 'to', 'interval', 'accounts', 'metric', 'scope', 'network', 'limit', 'lang'] as const).flatMap(
      (name) => (options[name] === undefined ? [] : [[name, options[name]]]),
    ),
  );
  const parsed = exportQuery.safeParse(given);
  if (!parsed.success) throw new UsageError(`${flags(describeIssues(parsed.error))}`);
  const binary = options.format === 'xlsx' || options.format === 'png' || options.format === 'pdf';
  if (!options.out && binary && process.stdout.isTTY) {
    throw new UsageError(`${options.format} is binary: write it to a file with --out <file>`);
  }
  const db = await openMigratedDatabase(config);
  let target: Writable | undefined;
  try {
    const { campaign, request } = await exportRequest(
      db,
      options.campaign,
      { what: options.what, format: options.format },
      parsed.data,
      clockFrom(config.TRACKER_CLOCK).now(),
    ).catch((error: unknown) => {
      if (error instanceof ApiError) throw new UsageError(`${flags(error.message)}`);
      throw error;
    });
    const total = options.progress ? await exportSize(db, campaign, request) : null;
    const bar =
      total !== null && total > 0
        ? new SingleBar({
            format: `export ${request.what} [{bar}] {percentage}% | {value}/{total} posts`,
            hideCursor: true,
            stream: process.stderr,
          })
        : undefined;
    bar?.start(total ?? 0, 0);
    request.onProgress = (written) => bar?.update(written);
    target = options.out ? createWriteStream(options.out) : process.stdout;
    let bytes = 0;
    try {
      for await (const chunk of exportChunks(db, campaign, request)) {
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        // Backpressure: a slow disk or pipe holds back the reads, so memory stays bounded.
        if (!target.write(chunk)) await once(target, 'drain');
      }
    } finally {
      bar?.stop();
    }
    if (options.out) {
      target.end();
      await once(target, 'finish');
      say(
        `wrote ${options.out} (${bytes} bytes; the dashboard names it ${exportFileName(campaign, request)})`,
      );
    }
  } catch (error) {
    if (options.out && target) {
      target.destroy();
      await rm(options.out, { force: true });
    }
    throw error;
  } finally {
    await db.destroy();
  }
}

/** The API's parameter names as the command's flags (`from: …` → `--from: …`). */
function flags(message: string): string {
  return message.replace(/(^|; )(\w+):/g, (_match, lead: string, name: string) =>
    name === 'what' || name === 'format'
      ? `${lead}${name === 'format' ? '--format' : '<what>'}:`
      : `${lead}--${name}:`,
  );
}
