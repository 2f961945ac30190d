import { type Kysely, sql } from 'kysely';

// Issue 17. The top of the mentions board on one network walks rank_mentions by count, keeping the
// keys of that network (src/db/rank-values.ts, mentionKeyOnNetwork). On a network with few mentioned
// accounts beside many X usernames, the walk read nearly every key of the campaign before it had
// its rows: 90 ms for Bluesky on the 5,000,000-post bench (tests/bench/rank.ts), where no key is a
// DID. A partial index per network whose keys hold ':' (a DID, an account uri) walks only those;
// X keys, most of them, keep the index of every key.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index rank_mentions_bluesky_idx on rank_mentions (campaign_id, mentions desc, username collate "C")
    where username like 'did:%'`.execute(db);
  await sql`create index rank_mentions_mastodon_idx on rank_mentions (campaign_id, mentions desc, username collate "C")
    where (strpos(username, ':') > 0 and username not like 'did:%')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index rank_mentions_mastodon_idx`.execute(db);
  await sql`drop index rank_mentions_bluesky_idx`.execute(db);
}
