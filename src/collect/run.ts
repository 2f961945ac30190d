import { finishRun, type RunCounts, startRun } from '../db/collection-runs.ts';
import { XRateLimitError } from '../x/errors.ts';
import type { CollectContext } from './context.ts';

export interface RunTarget {
  campaignId: number | null;
  kind: string;
  target: string;
}

/**
 * Runs one collection use-case and writes its row in the run log, whatever the outcome.
 * The use-case adds to `counts` as it goes (one request per X call), so a failure still records
 * what was done.
 */
export async function recordRun<T>(
  ctx: CollectContext,
  target: RunTarget,
  work: (counts: RunCounts) => Promise<T>,
): Promise<T & { counts: RunCounts }> {
  const counts: RunCounts = { requests: 0, postsNew: 0, postsUpdated: 0 };
  const runId = await startRun(ctx.db, { ...target, startedAt: ctx.clock.now() });
  try {
    const result = await work(counts);
    await finishRun(ctx.db, runId, { ...counts, finishedAt: ctx.clock.now(), outcome: 'ok' });
    return { ...result, counts };
  } catch (error) {
    const outcome = error instanceof XRateLimitError ? 'rate_limited' : 'failed';
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await finishRun(ctx.db, runId, { ...counts, finishedAt: ctx.clock.now(), outcome, error: message }).catch(
      (logError) => ctx.log.error({ err: logError, runId }, 'could not record the end of a collection run'),
    );
    throw error;
  }
}
