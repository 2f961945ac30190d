import { emptyCounts, finishRun, type RunCounts, startRun } from '../db/collection-runs.ts';
import { pruneReads } from '../db/x-reads.ts';
import { XRateLimitError } from '../networks/x/errors.ts';
import { BudgetReachedError, RunSpending } from './budget.ts';
import type { CollectContext } from './context.ts';

export interface RunTarget {
  campaignId: number | null;
  kind: string;
  target: string;
}

/**
 * Runs one collection use-case and writes its row in the run log, whatever the outcome.
 * The use-case adds to `counts` as it goes (one request per X call), passes `spending.allow()`
 * before each X request and hands it what each answer read, so a failure still records what was
 * done and spent. A run stopped by the budget ends with outcome `budget` and says why; its
 * BudgetReachedError is rethrown for the caller to report, not to retry. `exempt` runs (the
 * watchlist's follower snapshots) are never stopped by the budget.
 */
export async function recordRun<T>(
  ctx: CollectContext,
  target: RunTarget,
  work: (counts: RunCounts, spending: RunSpending) => Promise<T>,
  options: { exempt?: boolean } = {},
): Promise<T & { counts: RunCounts }> {
  const counts = emptyCounts();
  const startedAt = ctx.clock.now();
  const runId = await startRun(ctx.db, { ...target, startedAt, job: ctx.job });
  await pruneReads(ctx.db, startedAt);
  const spending = new RunSpending(ctx, {
    id: runId,
    campaignId: target.campaignId,
    counts,
    exempt: options.exempt ?? false,
  });
  try {
    const result = await work(counts, spending);
    await finishRun(ctx.db, runId, {
      ...counts,
      finishedAt: ctx.clock.now(),
      ...(spending.stoppedBy ? { outcome: 'budget', error: spending.stoppedBy } : { outcome: 'ok' }),
    });
    return { ...result, counts };
  } catch (error) {
    const outcome =
      error instanceof BudgetReachedError
        ? 'budget'
        : error instanceof XRateLimitError
          ? 'rate_limited'
          : 'failed';
    const message =
      error instanceof BudgetReachedError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    await finishRun(ctx.db, runId, { ...counts, finishedAt: ctx.clock.now(), outcome, error: message }).catch(
      (logError) => ctx.log.error({ err: logError, runId }, 'could not record the end of a collection run'),
    );
    throw error;
  }
}
