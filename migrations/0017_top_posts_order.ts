import { type Kysely, sql } from 'kysely';

// Issue 17. The most engaging posts of a window (src/db/overview-repository.ts, mostEngagingPosts)
// are ordered by engagement, then newest, then id. The index of 0002 held only the engagement: a
// read walked every post of the top engagement values (ties are common: 1,319 posts share the top
// value of the 1,000,000-post bench, tests/bench/rank.ts), fetched each from the heap to test its
// time, and sorted them — 186 ms of an overview's 235 ms. Keyed in the read's whole order, with the
// author beside, the walk stops after the posts it shows, from the index alone.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index rank_posts_engagement_idx`.execute(db);
  await sql`create index rank_posts_engagement_idx
    on rank_posts (campaign_id, engagement desc, created_at desc, post_id desc) include (author_id)
    where not repost`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index rank_posts_engagement_idx`.execute(db);
  await sql`create index rank_posts_engagement_idx on rank_posts (campaign_id, engagement desc) where not repost`.execute(
    db,
  );
}
