import { type Kysely, sql } from 'kysely';

// A run cut short by a lost worker or a lost database cannot write its own end: its row would say
// `running` forever. Each run now names the queue job it ran for; the next run of the same job
// (a retry, or the next tick's job under the same fixed id: never two at once, BullMQ sees to it)
// closes it as failed, saying so. Runs of `tracker collect` have no job.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table collection_runs add column job text`.execute(db);
  await sql`create index collection_runs_running_job_idx on collection_runs (job) where outcome = 'running'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index collection_runs_running_job_idx`.execute(db);
  await sql`alter table collection_runs drop column job`.execute(db);
}
