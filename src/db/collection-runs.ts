import type { Db } from './database.ts';
import type { RunOutcome } from './schema.ts';

export interface RunCounts {
  requests: number;
  postsNew: number;
  postsUpdated: number;
  /** posts and users X returned (billable reads) */
  postsRead: number;
  usersRead: number;
  /** of those, the ones X bills: not read before on the same UTC day */
  postsBilled: number;
  usersBilled: number;
  countsRequests: number;
  /** estimated cost in millionths of a dollar: integers add up exactly */
  costMicros: number;
  /** payload entries left out because they did not parse */
  entriesSkipped?: number;
}

export const emptyCounts = (): RunCounts => ({
  requests: 0,
  postsNew: 0,
  postsUpdated: 0,
  postsRead: 0,
  usersRead: 0,
  postsBilled: 0,
  usersBilled: 0,
  countsRequests: 0,
  costMicros: 0,
});

/** Millionths of a dollar as the numeric(14, 6) text PostgreSQL stores exactly. */
export const microsToUsd = (micros: number): string => (micros / 1e6).toFixed(6);

/** The run's counters as columns. */
export function countColumns(counts: RunCounts) {
  return {
    requests: counts.requests,
    posts_new: counts.postsNew,
    posts_updated: counts.postsUpdated,
    posts_read: counts.postsRead,
    users_read: counts.usersRead,
    posts_billed: counts.postsBilled,
    users_billed: counts.usersBilled,
    counts_requests: counts.countsRequests,
    cost_usd: microsToUsd(counts.costMicros),
  };
}

/** What a run left `running` by an earlier attempt of its job says (see closeInterruptedRuns). */
export const interruptedRunError =
  'interrupted: the run ended without recording its end (its worker or the database went away); the job ran again';

export async function startRun(
  db: Db,
  run: { campaignId: number | null; kind: string; target: string; startedAt: Date; job?: string | undefined },
): Promise<string> {
  if (run.job) await closeInterruptedRuns(db, run.job);
  const row = await db
    .insertInto('collection_runs')
    .values({
      campaign_id: run.campaignId,
      kind: run.kind,
      target: run.target,
      started_at: run.startedAt,
      job: run.job ?? null,
      outcome: 'running',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(
  db: Db,
  id: string,
  end: RunCounts & { finishedAt: Date; outcome: RunOutcome; error?: string | null },
): Promise<void> {
  await db
    .updateTable('collection_runs')
    .set({
      finished_at: end.finishedAt,
      outcome: end.outcome,
      error: end.error ?? null,
      ...countColumns(end),
      reserved_usd: 0,
      entries_skipped: end.entriesSkipped ?? 0,
    })
    .where('id', '=', id)
    .execute();
}

export async function lastRunId(db: Db): Promise<string> {
  const row = await db
    .selectFrom('collection_runs')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id ? String(row.id) : '0';
}

/** A campaign's runs logged after the run `afterId`, oldest first. */
export async function runsAfter(db: Db, campaignId: number, afterId: string) {
  return db
    .selectFrom('collection_runs')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('id', '>', afterId)
    .orderBy('id')
    .execute();
}

/**
 * A job runs once at a time (BullMQ's lock; fixed job ids), so when it starts, an earlier run of it
 * still `running` is one that could not write its end: it is closed as failed, saying so. Its end
 * time is unknown and left empty; what it had counted by then is lost with it.
 */
async function closeInterruptedRuns(db: Db, job: string): Promise<void> {
  await db
    .updateTable('collection_runs')
    .set({ outcome: 'failed', error: interruptedRunError, reserved_usd: 0 })
    .where('job', '=', job)
    .where('outcome', '=', 'running')
    .execute();
}
