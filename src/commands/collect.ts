import { SingleBar } from 'cli-progress';
import { clockFrom } from '../clock.ts';
import { backfillQuery } from '../collect/backfill-query.ts';
import type { CollectContext } from '../collect/context.ts';
import { pollQuery } from '../collect/poll-query.ts';
import { refreshPostMetrics } from '../collect/refresh-metrics.ts';
import { snapshotWatchlist } from '../collect/snapshot-accounts.ts';
import type { Config } from '../config.ts';
import { activeQueries, findCampaign } from '../db/campaigns.ts';
import type { Logger } from '../log.ts';
import { XClient } from '../x/client.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

/**
 * `tracker collect <slug> [--backfill]`: one pass now, without queues — polls every query (and with
 * --backfill walks each back to the 7-day horizon, with a progress bar), snapshots the watchlist and
 * re-reads the metrics that are due. Each step prints its line of the run log.
 */
export async function collectOnce(
  config: Config,
  log: Logger,
  options: { slug: string; backfill: boolean; progress: boolean },
  out: (line: string) => void,
) {
  if (!config.X_BEARER_TOKEN) {
    throw new UsageError('tracker collect needs X_BEARER_TOKEN (the demo collects by itself: npm start)');
  }
  const db = await openMigratedDatabase(config);
  try {
    const campaign = await findCampaign(db, options.slug);
    if (!campaign) {
      throw new UsageError(
        `no campaign "${options.slug}": apply its file first (tracker campaign apply <file>)`,
      );
    }
    const ctx: CollectContext = {
      db,
      x: new XClient({ bearerToken: config.X_BEARER_TOKEN, baseUrl: config.X_API_BASE_URL }),
      clock: clockFrom(config.TRACKER_CLOCK),
      log,
    };
    for (const query of await activeQueries(db, campaign.id)) {
      const poll = await pollQuery(ctx, query.id);
      out(`poll ${query.query}: ${poll.postsNew} new posts, ${poll.pages} request(s)`);
      if (options.backfill) await backfillWithProgress(ctx, query.id, query.query, options.progress, out);
    }
    const { snapshots } = await snapshotWatchlist(ctx, campaign.id);
    out(`snapshots: ${snapshots} follower reading(s)`);
    const metrics = await refreshPostMetrics(ctx, campaign.id);
    out(`metrics: ${metrics.posts} post(s) re-read, ${metrics.deleted} deleted`);
  } finally {
    await db.destroy();
  }
}

async function backfillWithProgress(
  ctx: CollectContext,
  queryId: number,
  label: string,
  progress: boolean,
  out: (line: string) => void,
) {
  const bar = new SingleBar({
    format: `backfill ${label} [{bar}] {percentage}% | {pages} pages | {posts} new posts`,
    hideCursor: true,
    // Progress goes to stderr, where a terminal shows it; stdout keeps the summary lines.
    stream: process.stderr,
    noTTYOutput: false,
  });
  if (progress) bar.start(100, 0, { pages: 0, posts: 0 });
  try {
    const result = await backfillQuery(ctx, queryId, {
      onProgress: ({ pages, postsNew, fraction }) => {
        if (progress) bar.update(Math.round(fraction * 100), { pages, posts: postsNew });
      },
    });
    if (progress) bar.update(100);
    out(
      `backfill ${label}: ${result.postsNew} new posts, ${result.pages} request(s), ${result.done ? 'done' : 'not done'}`,
    );
  } finally {
    if (progress) bar.stop();
  }
}
