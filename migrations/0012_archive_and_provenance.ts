import { type Kysely, sql } from 'kysely';

// Issue 18. The part of a campaign window older than recent search's 7 days is read from X's full
// archive, walked from `archive_end` back to the window's start in pages of 500: its own cursor,
// moved in the transaction of the page it covers, like the recent backfill's. `archive_end` is fixed
// when the walk starts, so a stored `next_token` always resumes the very request that issued it.
//
// Provenance: every post, metric reading and follower reading says how it came — `recent`,
// `archive`, `timeline`, `lookup` (metric refreshes), `import:<file>` — so reports can say which part
// of a window came from where. Nullable for posts and metric readings stored before this migration
// (their way is unknown); follower readings were all collected until imports existed.
const statements = [
  `alter table campaign_queries
     add column archive_end timestamptz,
     add column archive_token text,
     add column archive_done boolean not null default false`,
  'alter table posts add column source text',
  'alter table post_metric_snapshots add column source text',
  `alter table account_snapshots add column source text not null default 'collected'`,
  // A follower count kept by hand or exported from X's analytics has no following, posts or listed
  // counts: unknown, not 0.
  `alter table account_snapshots
     alter column following_count drop not null,
     alter column post_count drop not null,
     alter column listed_count drop not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    "delete from account_snapshots where source <> 'collected'",
    `alter table account_snapshots
       alter column following_count set not null,
       alter column post_count set not null,
       alter column listed_count set not null`,
    'alter table account_snapshots drop column source',
    'alter table post_metric_snapshots drop column source',
    'alter table posts drop column source',
    'alter table campaign_queries drop column archive_end, drop column archive_token, drop column archive_done',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
