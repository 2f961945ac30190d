import type { Db } from './database.ts';
import type { RunOutcome } from './schema.ts';

export interface RunCounts {
  requests: number;
  postsNew: number;
  postsUpdated: number;
  /** payload entries left out because they did not parse */
  entriesSkipped?: number;
}

export async function startRun(
  db: Db,
  run: { campaignId: number | null; kind: string; target: string; startedAt: Date },
): Promise<string> {
  const row = await db
    .insertInto('collection_runs')
    .values({
      campaign_id: run.campaignId,
      kind: run.kind,
      target: run.target,
      started_at: run.startedAt,
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
      requests: end.requests,
      posts_new: end.postsNew,
      posts_updated: end.postsUpdated,
      entries_skipped: end.entriesSkipped ?? 0,
    })
    .where('id', '=', id)
    .execute();
}

export async function recentRuns(db: Db, limit = 50) {
  return db
    .selectFrom('collection_runs')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
