import { type Kysely, sql } from 'kysely';

// Entries of X payloads that did not parse (a post without its author, a user without a username):
// the rest of the page is stored, and the run log counts what was left out.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table collection_runs add column entries_skipped integer not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table collection_runs drop column entries_skipped`.execute(db);
}
