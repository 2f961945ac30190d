import { sql } from 'kysely';
import { worstCase } from '../budget/prices.ts';
import type { Db } from '../db/database.ts';
import type { Network } from '../db/schema.ts';
import { maxPageSize } from '../networks/x/fields.ts';
import type { CollectContext } from './context.ts';
import { recordRun } from './record-run.ts';
import { storePage } from './store-page.ts';

/** Post metrics keep growing after collection: each post is re-read this long after it was posted. */
export const metricCheckpoints = ['1 hour', '24 hours', '7 days'] as const;

/** During the event, the campaign's most engaging posts are also re-read every hour. */
const topPostsHourly = 50;

/**
 * Re-reads the metrics of the campaign's posts that are due (a checkpoint passed since their last
 * reading, or a top post read over an hour ago), 100 per request. Every reading is a snapshot row,
 * and `posts` keeps the latest. Posts X reports as deleted are flagged, not dropped: they stop counting.
 */
export async function refreshPostMetrics(
  ctx: CollectContext,
  campaignId: number,
  options: { maxPosts?: number } = {},
): Promise<{ posts: number; deleted: number }> {
  const now = ctx.clock.now();
  const ids = await duePosts(ctx.db, campaignId, now, options.maxPosts ?? 2000);
  if (ids.length === 0) return { posts: 0, deleted: 0 };
  const run = { campaignId, kind: 'metrics', target: `${ids.length} posts` };
  return recordRun(ctx, run, async (counts, spending) => {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += maxPageSize.lookup) {
      const batch = ids.slice(i, i + maxPageSize.lookup);
      await spending.allow(worstCase.postsLookup(batch.length));
      const observedAt = ctx.clock.now();
      const lookup = await ctx.x.postsByIds(batch);
      counts.requests++;
      const gone = lookup.problems
        .filter((p) => p.problem === 'resource-not-found' && p.parameter === 'ids' && p.value)
        .map((p) => p.value as string);
      const stored = await storePage(ctx, {
        source: 'lookup',
        page: { ...lookup, posts: lookup.items, newestId: null, oldestId: null, nextToken: null },
        observedAt,
        moveCursor: async (trx) => {
          if (gone.length > 0)
            await trx.updateTable('posts').set({ deleted: true }).where('id', 'in', gone).execute();
        },
      });
      deleted += gone.length;
      counts.postsUpdated += stored.postsUpdated;
      spending.add(stored.reads);
      counts.entriesSkipped = (counts.entriesSkipped ?? 0) + stored.skipped;
    }
    return { posts: ids.length, deleted };
  });
}

/** Ids of the campaign's posts on `network` whose metrics are due a re-read, oldest first. */
export async function duePosts(
  db: Db,
  campaignId: number,
  now: Date,
  limit: number,
  network: Network = 'x',
): Promise<string[]> {
  const checkpointDue = sql.join(
    metricCheckpoints.map(
      (checkpoint) =>
        sql`(p.created_at + ${checkpoint}::interval <= ${now} and p.metrics_observed_at < p.created_at + ${checkpoint}::interval)`,
    ),
    sql` or `,
  );
  const inCampaign = sql`p.network = ${network} and exists (select 1 from campaign_posts cp where cp.post_id = p.id and cp.campaign_id = ${campaignId})`;
  const { rows } = await sql<{ id: string }>`
    (select p.id from posts p
      where ${inCampaign} and not p.deleted and (${checkpointDue})
      order by p.created_at
      limit ${limit})
    union
    (select top.id from (
        select p.id, p.metrics_observed_at from posts p
        where ${inCampaign} and not p.deleted
        order by p.like_count + p.repost_count + p.reply_count + p.quote_count desc
        limit ${topPostsHourly}
      ) top
      join campaigns c on c.id = ${campaignId}
      where ${now} between c.window_start and c.window_end + interval '1 day'
        and top.metrics_observed_at < ${now}::timestamptz - interval '1 hour')
  `.execute(db);
  return rows.map((row) => row.id);
}
