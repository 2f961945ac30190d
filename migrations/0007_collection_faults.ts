import { type Kysely, sql } from 'kysely';

// What collection under faults needs:
// - entries of X payloads that did not parse (a post without its author, a user without a username)
//   are left out, the rest of the page is stored, and the run log counts what was left out;
// - a follower reading names the schedule tick it was taken for, so a snapshot job taken over after a
//   crash (or delivered twice) reads each account once per tick: at most one row per account and tick.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table collection_runs add column entries_skipped integer not null default 0`.execute(db);
  await sql`alter table account_snapshots add column tick text`.execute(db);
  await sql`create unique index account_snapshots_once_per_tick on account_snapshots (account_id, tick) where tick is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index account_snapshots_once_per_tick`.execute(db);
  await sql`alter table account_snapshots drop column tick`.execute(db);
  await sql`alter table collection_runs drop column entries_skipped`.execute(db);
}
