import { formatUsd, pricesFrom } from '../budget/prices.ts';
import { campaignBudgetStatus } from '../budget/status.ts';
import { clockFrom } from '../clock.ts';
import { archiveQuery } from '../collect/archive-query.ts';
import { backfillQuery } from '../collect/backfill-query.ts';
import { BudgetReachedError } from '../collect/budget.ts';
import type { CollectContext } from '../collect/context.ts';
import { estimateBackfill } from '../collect/estimate-backfill.ts';
import { pollQuery } from '../collect/poll-query.ts';
import { refreshPostMetrics } from '../collect/refresh-metrics.ts';
import { snapshotWatchlist } from '../collect/snapshot-accounts.ts';
import type { Config } from '../config.ts';
import { activeQueries, findCampaign } from '../db/campaigns.ts';
import { lastRunId, runsAfter } from '../db/collection-runs.ts';
import type { Db } from '../db/database.ts';
import type { CollectionRun } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import { XClient } from '../networks/x/client.ts';
import { XRateLimitError, XTransientError } from '../networks/x/errors.ts';
import { StepProgress, StopRequestedError } from './collect-progress.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

/**
 * `tracker collect <slug> [--backfill] [--dry-run]`: one pass now, without queues — polls every
 * query (and with --backfill walks each back to the 7-day horizon, then the part of the campaign
 * window older than that through X's full archive, with a progress bar), snapshots the watchlist and
 * re-reads the metrics that are due. Each step prints its rows of the run log (requests, posts, reads
 * billed, estimated cost, outcome), then the month's budget. A step the budget stops prints why and
 * the pass goes on (follower snapshots are never stopped). A spent rate limit is waited out (X's
 * announced reset, shown on the progress bar), then the step resumes from its stored cursor; Ctrl-C
 * stops at once with everything stored so far kept, and the same command continues.
 * --dry-run only asks X's counts what a backfill would read, and prints pages and cost.
 */
export async function collectOnce(
  config: Config,
  log: Logger,
  options: { slug: string; backfill: boolean; dryRun?: boolean; progress: boolean },
  out: (line: string) => void,
): Promise<{ stopped: boolean }> {
  if (!config.X_BEARER_TOKEN) {
    throw new UsageError('tracker collect needs X_BEARER_TOKEN (the demo collects by itself: npm start)');
  }
  const db = await openMigratedDatabase(config);
  const stop = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C does not wait for the page in flight.
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  try {
    const campaign = await findCampaign(db, options.slug);
    if (!campaign) {
      throw new UsageError(
        `no campaign "${options.slug}": apply its file first (tracker campaign apply <file>)`,
      );
    }
    const ctx: CollectContext = {
      db,
      x: new XClient({
        bearerToken: config.X_BEARER_TOKEN,
        baseUrl: config.X_API_BASE_URL,
        timeoutMs: config.X_TIMEOUT_MS,
      }),
      clock: clockFrom(config.TRACKER_CLOCK),
      log,
      prices: pricesFrom(config),
    };
    // A dry run prints its estimate, not the run log's row of it.
    const runLog = options.dryRun ? async () => {} : await runLogPrinter(db, campaign.id, out);
    const step = (work: (progress: StepProgress) => Promise<unknown>) =>
      runStep(work, { runLog, out, tty: options.progress, signal: stop.signal });
    if (options.dryRun) {
      await step(() => printEstimate(ctx, campaign.id, out));
      return { stopped: false };
    }
    for (const query of await activeQueries(db, campaign.id)) {
      await step(() => pollQuery(ctx, query.id));
      if (options.backfill) {
        await step((progress) => {
          progress.walk(`backfill ${query.query}`);
          return backfillQuery(ctx, query.id, { onProgress: (p) => progress.update(barValues(p)) });
        });
        await step(async (progress) => {
          progress.walk(`archive ${query.query}`);
          const result = await archiveQuery(ctx, query.id, {
            onProgress: (p) => progress.update(barValues(p)),
          });
          // The refusal is in the run log's line (printed by the step); the other parts go on.
          return result;
        });
      }
    }
    await step(() => snapshotWatchlist(ctx, campaign.id));
    await step(() => refreshPostMetrics(ctx, campaign.id));
    const status = await campaignBudgetStatus(db, campaign.id, ctx.clock.now(), ctx.prices);
    const micros = (usd: number) => Math.round(usd * 1e6);
    out(
      `budget ${status.month}: ${formatUsd(micros(status.spentUsd))} spent` +
        (status.monthlyBudgetUsd === null
          ? ' (no monthly budget set)'
          : ` of ${formatUsd(micros(status.monthlyBudgetUsd))}${status.pausedBy ? `, collection paused (${status.pausedBy})` : ''}`) +
        (status.usage
          ? `; X usage ${status.usage.posts.toLocaleString('en-US')} of ${status.usage.cap.toLocaleString('en-US')} posts this month`
          : ''),
    );
    return { stopped: false };
  } catch (error) {
    if (!(error instanceof StopRequestedError)) throw error;
    out('stopped: everything collected so far is stored; run the same command again to continue');
    return { stopped: true };
  } finally {
    process.off('SIGINT', onSignal);
    await db.destroy();
  }
}

const barValues = (p: { fraction: number; pages: number; postsNew: number }) => ({
  fraction: p.fraction,
  pages: p.pages,
  posts: p.postsNew,
});

/** Waits between the 5 attempts of a step X failed transiently (5xx, network), as a worker job has. */
const retryDelaysMs = [2_000, 4_000, 8_000, 16_000];

/**
 * Runs one step and prints the run-log rows it wrote; a budget stop is printed there, not thrown.
 * A transient X failure is retried with backoff, as the workers' jobs are; a spent rate limit is
 * waited out until X's reset, as often as it comes (each wait follows progress). Every step resumes
 * from the cursors its stored pages moved, so a retry reads nothing twice.
 */
async function runStep(
  work: (progress: StepProgress) => Promise<unknown>,
  options: { runLog: () => Promise<void>; out: (line: string) => void; tty: boolean; signal: AbortSignal },
) {
  const { out, signal } = options;
  const progress = new StepProgress({ tty: options.tty, out, signal });
  try {
    for (let attempt = 0; ; ) {
      if (signal.aborted) throw new StopRequestedError();
      try {
        await work(progress);
        return;
      } catch (error) {
        if (error instanceof BudgetReachedError) return;
        await options.runLog();
        if (error instanceof XRateLimitError) {
          await progress.waitForReset(error.resetAt);
          continue;
        }
        const delay = retryDelaysMs[attempt++];
        if (!(error instanceof XTransientError) || delay === undefined) throw error;
        out(`  ${error.message}: retrying in ${delay / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  } finally {
    progress.done();
    await options.runLog();
  }
}

async function runLogPrinter(db: Db, campaignId: number, out: (line: string) => void) {
  let after = await lastRunId(db);
  return async () => {
    for (const run of await runsAfter(db, campaignId, after)) {
      out(describeRun(run));
      after = run.id;
    }
  };
}

/** One run-log row as a line: `poll #OGP16: ok, 3 requests, 120 new / 4 updated posts, …`. */
export function describeRun(run: CollectionRun): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const cost = formatUsd(Math.round(Number(run.cost_usd) * 1e6));
  const reads =
    run.posts_read + run.users_read > 0
      ? `, read ${n(run.posts_read)} posts + ${n(run.users_read)} users (billed ${n(run.posts_billed)} + ${n(run.users_billed)})`
      : '';
  const outcome =
    run.outcome === 'ok' ? 'ok' : `${run.outcome.replace('_', ' ')}${run.error ? ` — ${run.error}` : ''}`;
  return (
    `${run.kind} ${run.target}: ${outcome}; ${n(run.requests)} request(s), ` +
    `${n(run.posts_new)} new / ${n(run.posts_updated)} updated posts${reads}, ≈ ${cost}`
  );
}

async function printEstimate(ctx: CollectContext, campaignId: number, out: (line: string) => void) {
  const estimate = await estimateBackfill(ctx, campaignId);
  let posts = 0;
  let requests = 0;
  let low = 0;
  let high = 0;
  const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');
  for (const query of estimate.queries) {
    out(
      `estimate ${query.query}: ${query.posts.toLocaleString('en-US')} posts to read in ${query.requests} request(s), ` +
        `${formatUsd(query.postsMicros)} for the posts + up to ${formatUsd(query.usersMaxMicros)} for their authors`,
    );
    const { archive } = query;
    if (archive?.refused) {
      out(
        `estimate ${query.query}, archive ${day(archive.from)} to ${day(archive.to)} UTC: ${archive.refused}`,
      );
    } else if (archive) {
      out(
        `estimate ${query.query}, archive ${day(archive.from)} to ${day(archive.to)} UTC: ` +
          `${archive.posts.toLocaleString('en-US')} posts to read in ${archive.requests} archive request(s), ` +
          `${formatUsd(archive.postsMicros)} for the posts + up to ${formatUsd(archive.usersMaxMicros)} for their authors`,
      );
    }
    for (const part of [query, ...(archive && !archive.refused ? [archive] : [])]) {
      posts += part.posts;
      requests += part.requests;
      low += part.postsMicros;
      high += part.postsMicros + part.usersMaxMicros;
    }
  }
  if (estimate.queries.length === 0) out('estimate: every backfill is done, nothing to read');
  out(
    `estimate total: ${posts.toLocaleString('en-US')} posts, ${requests} search request(s), ` +
      `${formatUsd(low)} to ${formatUsd(high)}; this estimate cost ${formatUsd(estimate.countsMicros)} ` +
      `(${estimate.countsRequests} counts request(s)), nothing else was read`,
  );
}
