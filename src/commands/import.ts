import { access } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { clockFrom } from '../clock.ts';
import { importFollowers } from '../collect/import-followers.ts';
import { importTwarc } from '../collect/import-twarc.ts';
import type { Config } from '../config.ts';
import { activeQueries, findCampaign } from '../db/campaigns.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../log.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

export interface ImportCommandOptions {
  file: string;
  campaign: string;
  query?: string;
  progress: boolean;
}

/**
 * `tracker import twarc <file.jsonl> --campaign <slug> [--query <q>]`: a twarc2 collection into a
 * campaign, as matches of `--query` (default: the campaign's first X query). Sends nothing to X.
 */
export async function runTwarcImport(
  config: Config,
  log: Logger,
  options: ImportCommandOptions,
  out: (line: string) => void,
): Promise<void> {
  await readable(options.file);
  await withCampaign(config, options.campaign, async (db, campaignId) => {
    const queries = await activeQueries(db, campaignId);
    const query = options.query ? queries.find((q) => q.query === options.query) : queries[0];
    if (!query) {
      throw new UsageError(
        options.query
          ? `campaign "${options.campaign}" has no query ${JSON.stringify(options.query)}: use one of ${queries.map((q) => JSON.stringify(q.query)).join(', ')}, or add it to the campaign file`
          : `campaign "${options.campaign}" has no X query to import into: add one to its file`,
      );
    }
    const bar = new SingleBar({
      format: `import ${options.file} [{bar}] {percentage}% | {lines} lines | {posts} new posts`,
      hideCursor: true,
      stream: process.stderr,
      noTTYOutput: false,
    });
    if (options.progress) bar.start(100, 0, { lines: 0, posts: 0 });
    try {
      const result = await importTwarc(
        { db, clock: clockFrom(config.TRACKER_CLOCK), log },
        { campaignId, queryId: query.id, file: options.file },
        {
          onProgress: (p) => {
            if (options.progress) {
              bar.update(Math.floor((100 * p.bytesRead) / Math.max(1, p.bytesTotal)), {
                lines: p.lines.toLocaleString('en-US'),
                posts: p.postsNew.toLocaleString('en-US'),
              });
            }
          },
        },
      );
      if (options.progress) bar.stop();
      for (const broken of result.brokenLines) out(`  line ${broken.line} skipped: ${broken.reason}`);
      if (result.brokenTotal > result.brokenLines.length) {
        out(`  … and ${result.brokenTotal - result.brokenLines.length} more broken line(s)`);
      }
      const n = (value: number) => value.toLocaleString('en-US');
      out(
        `imported ${options.file} into ${options.campaign} (${query.query}): ${n(result.lines)} lines, ` +
          `${n(result.postsNew)} new / ${n(result.postsUpdated)} updated posts, ${n(result.brokenTotal)} broken line(s) and ` +
          `${n(result.entriesSkipped)} entries skipped`,
      );
    } finally {
      if (options.progress) bar.stop();
    }
  });
}

/**
 * `tracker import followers <file.csv> --campaign <slug>`: follower counts kept elsewhere, as
 * readings marked imported; bad rows are listed by line, the good ones kept.
 */
export async function runFollowersImport(
  config: Config,
  log: Logger,
  options: { file: string; campaign: string },
  out: (line: string) => void,
): Promise<void> {
  await readable(options.file);
  await withCampaign(config, options.campaign, async (db, campaignId) => {
    const result = await importFollowers(
      { db, clock: clockFrom(config.TRACKER_CLOCK), log },
      { campaignId, file: options.file },
    );
    for (const bad of result.badRows) out(`  line ${bad.line} left out: ${bad.reason}`);
    out(
      `imported ${options.file} into ${options.campaign}: ${result.rows} row(s), ${result.readings} new follower reading(s), ` +
        `${result.unchanged} already stored, ${result.badRows.length} bad row(s)`,
    );
  });
}

async function readable(file: string): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new UsageError(`cannot read ${file}: check the path`);
  }
}

async function withCampaign(
  config: Config,
  slug: string,
  work: (db: Db, campaignId: number) => Promise<void>,
): Promise<void> {
  const db = await openMigratedDatabase(config);
  try {
    const campaign = await findCampaign(db, slug);
    if (!campaign)
      throw new UsageError(`no campaign "${slug}": apply its file first (tracker campaign apply <file>)`);
    await work(db, campaign.id);
  } finally {
    await db.destroy();
  }
}
