import { emptyCounts, finishRun, type RunCounts, startRun } from '../db/collection-runs.ts';
import type { RunTarget } from './record-run.ts';
import type { SourceContext } from './source.ts';

/**
 * Runs one collection use-case of another network than X and writes its row in the run log, whatever
 * the outcome, as recordRun does for X (without X's billing: these networks do not charge reads).
 * `kind` and `target` name the network (`bluesky:poll`, `bluesky:#OGP16`). A rate limit ends the run
 * as `rate_limited`, naming the reset: the job waits it out and resumes from the stored cursor.
 */
export async function recordSourceRun<T>(
  ctx: SourceContext,
  target: RunTarget,
  work: (counts: RunCounts) => Promise<T>,
): Promise<T & { counts: RunCounts }> {
  const counts = emptyCounts();
  const runId = await startRun(ctx.db, { ...target, startedAt: ctx.clock.now(), job: ctx.job });
  try {
    const result = await work(counts);
    await finishRun(ctx.db, runId, { ...counts, finishedAt: ctx.clock.now(), outcome: 'ok' });
    return { ...result, counts };
  } catch (error) {
    const reset = ctx.source.rateLimitReset(error);
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await finishRun(ctx.db, runId, {
      ...counts,
      finishedAt: ctx.clock.now(),
      outcome: reset ? 'rate_limited' : 'failed',
      error: reset ? `${message} (waiting until ${reset.toISOString()})` : message,
    }).catch((logError) =>
      ctx.log.error({ err: logError, runId }, 'could not record the end of a collection run'),
    );
    throw error;
  }
}
