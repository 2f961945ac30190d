import { type Kysely, sql } from 'kysely';

// Issue 18. A home or watchlist handle X does not resolve (misspelled, suspended, gone) must be one
// clear line at `campaign apply` and on /ops, however long ago the lookup ran: the lookup's answer is
// kept beside the handle (X's own words), set by each lookup that fails and cleared by one that
// resolves it (src/collect/snapshot-accounts.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaign_accounts add column lookup_problem text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaign_accounts drop column lookup_problem`.execute(db);
}
