import { type Kysely, sql } from 'kysely';

// Cursors that let every collection job resume where it stopped, each moved in the transaction
// of the rows it covers: an interrupted poll resumes from its page, a backfill from its token.
const statements = [
  `alter table campaign_queries
     add column poll_next_token text,
     add column poll_newest_id bigint,
     add column backfill_until_id bigint`,
  'alter table campaign_accounts add column timeline_newest_id bigint',
  // Engagement refreshes look for posts whose next re-read is due.
  'create index posts_metrics_observed_idx on posts (metrics_observed_at)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index posts_metrics_observed_idx').execute(db);
  await sql.raw('alter table campaign_accounts drop column timeline_newest_id').execute(db);
  await sql
    .raw(
      'alter table campaign_queries drop column poll_next_token, drop column poll_newest_id, drop column backfill_until_id',
    )
    .execute(db);
}
