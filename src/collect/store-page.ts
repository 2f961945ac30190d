import { sql } from 'kysely';
import { upsertAccounts } from '../db/accounts.ts';
import { insertPostMetricSnapshots, linkCampaignPosts, upsertPosts } from '../db/posts.ts';
import type { XPage } from '../x/types.ts';
import type { CollectContext } from './context.ts';

export interface StoredPage {
  postsNew: number;
  postsUpdated: number;
  /** posts dropped because their author did not come with the page */
  orphans: number;
}

/**
 * Stores one search page for one campaign query, in one transaction with the query's cursor:
 * a crash never skips the page's posts, and a replay finds them already stored.
 */
export async function storeSearchPage(
  ctx: CollectContext,
  target: { campaignId: number; queryId: number; page: XPage; newestId: string | null },
): Promise<StoredPage> {
  const { page } = target;
  const now = ctx.clock.now();
  const authors = new Set(page.users.map((user) => user.id));
  const posts = page.posts.filter((post) => authors.has(post.authorId));
  const orphans = page.posts.length - posts.length;
  if (orphans > 0 || page.skipped > 0) {
    ctx.log.warn(
      { queryId: target.queryId, orphans, skipped: page.skipped },
      'search page had entries we could not store',
    );
  }
  const { inserted } = await ctx.db.transaction().execute(async (trx) => {
    await upsertAccounts(trx, page.users, now);
    const result = await upsertPosts(trx, posts, now);
    await insertPostMetricSnapshots(trx, posts, now);
    await linkCampaignPosts(trx, {
      campaignId: target.campaignId,
      queryId: target.queryId,
      postIds: posts.map((post) => post.id),
      matchedAt: now,
    });
    if (target.newestId) {
      await trx
        .updateTable('campaign_queries')
        .set({ newest_id: sql`greatest(coalesce(newest_id, 0), ${target.newestId}::bigint)` })
        .where('id', '=', target.queryId)
        .execute();
    }
    return result;
  });
  return { postsNew: inserted, postsUpdated: posts.length - inserted, orphans };
}
