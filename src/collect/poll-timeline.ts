import { sql, type Transaction } from 'kysely';
import { worstCase } from '../budget/prices.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { XPage } from '../networks/x/types.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';
import { countStored, storePage } from './store-page.ts';

/**
 * Reads the new posts of one watchlist account's timeline (`since_id`), reposts included: keyword
 * search no longer returns reposts, so this is how the home account's reposts of campaign posts are
 * counted. A repost of a campaign post joins the campaign under the query that matched the original.
 * An account read for the first time is read back to the campaign's start (or the timeline's 3,200
 * posts); its cursor then moves with the last page of each read.
 */
export async function pollTimeline(
  ctx: CollectContext,
  campaignId: number,
  username: string,
): Promise<{ pages: number; postsNew: number }> {
  const account = await ctx.db
    .selectFrom('campaign_accounts as ca')
    .innerJoin('campaigns as c', 'c.id', 'ca.campaign_id')
    .select(['ca.account_id', 'ca.timeline_newest_id', 'c.window_start'])
    .where('ca.campaign_id', '=', campaignId)
    .where(sql<string>`lower(ca.username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  // The id comes from the first follower snapshot of the account.
  if (!account?.account_id) return { pages: 0, postsNew: 0 };
  const accountId = account.account_id;

  const run = { campaignId, kind: 'timeline', target: `@${username}` };
  return recordRun(ctx, run, async (counts, spending) => {
    let paginationToken: string | null = null;
    let newestId: string | null = null;
    let pages = 0;
    let reachedStart = false;
    do {
      await spending.allow(worstCase.timelinePage);
      const observedAt = ctx.clock.now();
      const page: XPage = await ctx.x.userTimeline(accountId, {
        sinceId: account.timeline_newest_id,
        paginationToken,
      });
      counts.requests++;
      pages++;
      newestId ??= page.newestId;
      paginationToken = page.nextToken;
      reachedStart = page.posts.some((post) => post.createdAt < account.window_start);
      const last = !paginationToken || reachedStart;
      const cursor = newestId;
      const stored = await storePage(ctx, {
        source: 'timeline',
        page,
        observedAt,
        moveCursor: async (trx) => {
          await linkCampaignReposts(trx, campaignId, page);
          if (last && cursor) {
            await trx
              .updateTable('campaign_accounts')
              .set({ timeline_newest_id: sql`greatest(coalesce(timeline_newest_id, 0), ${cursor}::bigint)` })
              .where('campaign_id', '=', campaignId)
              .where(sql<string>`lower(username)`, '=', username.toLowerCase())
              .execute();
          }
        },
      });
      countStored(counts, stored);
      spending.add(stored.reads);
    } while (paginationToken && !reachedStart);
    return { pages, postsNew: counts.postsNew };
  });
}

async function linkCampaignReposts(trx: Transaction<Database>, campaignId: number, page: XPage) {
  const reposts = page.posts.filter((post) => post.kind === 'repost' && post.referencedPostId);
  if (reposts.length === 0) return;
  const pairs = sql.join(reposts.map((post) => sql`(${post.id}::bigint, ${post.referencedPostId}::bigint)`));
  await sql`
    insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
    select original.campaign_id, original.query_id, r.repost_id, original.matched_at
    from (values ${pairs}) as r (repost_id, original_id)
    join campaign_posts original on original.post_id = r.original_id and original.campaign_id = ${campaignId}
    on conflict (campaign_id, query_id, post_id) do nothing
  `.execute(trx);
}

/**
 * Links the watched accounts' reposts whose original joined the campaign after the repost was read
 * (a timeline read at the start, before the walk back reached the original): each joins under the
 * queries that matched its original, as linkCampaignReposts does when the original is already there.
 * Returns how many links were added.
 */
export async function linkEarlierReposts(db: Db, campaignId: number): Promise<number> {
  const { numAffectedRows } = await sql`
    insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
    select original.campaign_id, original.query_id, repost.id, original.matched_at
    from campaign_accounts watched
    join posts repost on repost.author_id = watched.account_id and repost.kind = 'repost'
    join campaign_posts original
      on original.post_id = repost.referenced_post_id and original.campaign_id = ${campaignId}
    where watched.campaign_id = ${campaignId}
    on conflict (campaign_id, query_id, post_id) do nothing
  `.execute(db);
  return Number(numAffectedRows ?? 0);
}
