import { sql } from 'kysely';
import type { XPost } from '../x/types.ts';
import type { Db } from './database.ts';
import { uniqueById } from './ids.ts';

type Executor = Pick<Db, 'insertInto' | 'updateTable' | 'selectFrom'>;

/**
 * Inserts posts or refreshes their metrics, keyed on the X id, so a replayed page changes
 * nothing it already stored. Metrics only move forward in observation time. Returns how many
 * posts were new.
 */
export async function upsertPosts(
  db: Executor,
  posts: XPost[],
  observedAt: Date,
): Promise<{ inserted: number }> {
  const unique = uniqueById(posts, (post) => post.id);
  if (unique.length === 0) return { inserted: 0 };
  const rows = await db
    .insertInto('posts')
    .values(
      unique.map((post) => ({
        id: post.id,
        author_id: post.authorId,
        created_at: post.createdAt,
        text: post.text,
        lang: post.lang,
        kind: post.kind,
        referenced_post_id: post.referencedPostId,
        conversation_id: post.conversationId,
        hashtags: post.hashtags,
        mentions: post.mentions,
        like_count: post.metrics.like,
        repost_count: post.metrics.repost,
        reply_count: post.metrics.reply,
        quote_count: post.metrics.quote,
        bookmark_count: post.metrics.bookmark,
        impression_count: post.metrics.impression,
        metrics_observed_at: observedAt,
        first_seen_at: observedAt,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet({
          like_count: sql`excluded.like_count`,
          repost_count: sql`excluded.repost_count`,
          reply_count: sql`excluded.reply_count`,
          quote_count: sql`excluded.quote_count`,
          bookmark_count: sql`excluded.bookmark_count`,
          impression_count: sql`excluded.impression_count`,
          metrics_observed_at: sql`excluded.metrics_observed_at`,
          deleted: false,
        })
        .where('posts.metrics_observed_at', '<', sql<Date>`excluded.metrics_observed_at`),
    )
    // xmax is 0 on a freshly inserted row: tells inserts from updates in one statement.
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  return { inserted: rows.filter((row) => row.inserted).length };
}

/** Every metrics reading is kept: engagement series are built from these. */
export async function insertPostMetricSnapshots(
  db: Executor,
  posts: XPost[],
  observedAt: Date,
): Promise<void> {
  const unique = uniqueById(posts, (post) => post.id);
  if (unique.length === 0) return;
  await db
    .insertInto('post_metric_snapshots')
    .values(
      unique.map((post) => ({
        post_id: post.id,
        observed_at: observedAt,
        like_count: post.metrics.like,
        repost_count: post.metrics.repost,
        reply_count: post.metrics.reply,
        quote_count: post.metrics.quote,
        bookmark_count: post.metrics.bookmark,
        impression_count: post.metrics.impression,
      })),
    )
    .onConflict((oc) => oc.columns(['post_id', 'observed_at']).doNothing())
    .execute();
}

/** Records that a campaign query matched these posts. */
export async function linkCampaignPosts(
  db: Executor,
  link: { campaignId: number; queryId: number; postIds: string[]; matchedAt: Date },
): Promise<void> {
  if (link.postIds.length === 0) return;
  await db
    .insertInto('campaign_posts')
    .values(
      uniqueById(link.postIds, (id) => id).map((postId) => ({
        campaign_id: link.campaignId,
        query_id: link.queryId,
        post_id: postId,
        matched_at: link.matchedAt,
      })),
    )
    .onConflict((oc) => oc.columns(['campaign_id', 'query_id', 'post_id']).doNothing())
    .execute();
}
