import { type Kysely, sql } from 'kysely';

// Issue 15. Profile images are fetched once by the workers (src/collect/fetch-avatars.ts) and served
// by the dashboard from its own origin (dashboard/server/routes/avatars.ts), so that no page asks a
// third party for anything and the demo shows avatars offline. One row per account: the image of
// `source_url`, or why it could not be had (`failure`, body null), so a broken URL is tried once and
// again only when the account's `profile_image_url` changes.
const statements = [
  `create table account_avatars (
     account_id bigint primary key references accounts (id) on delete cascade,
     source_url text not null,
     content_type text,
     body bytea,
     sha256 text,
     failure text,
     fetched_at timestamptz not null,
     check ((body is null) = (failure is not null))
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table account_avatars').execute(db);
}
