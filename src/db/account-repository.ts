import { sql } from 'kysely';
import type { Network } from '../networks/types.ts';
import type { Db } from './database.ts';
import type { Campaign } from './schema.ts';

/**
 * An account as its page reads it: who it is, and its campaign posts (`posts` joined with
 * `campaign_posts`, not the rollups: the page shows each post as X last reported it). The
 * collection writes accounts through src/db/accounts.ts.
 */

/**
 * The account last seen under this handle on the network (handles are case-insensitive and can be
 * reused: an X username, a Bluesky handle, a Mastodon `user@instance`).
 */
export async function findAccount(db: Db, network: Network, handle: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('network', '=', network)
    .where(sql<string>`lower(username)`, '=', handle.toLowerCase())
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** A post with its latest engagement reading, as the top-posts lists show it. */
export interface TopPost {
  id: string;
  network: Network;
  /** the post's id on its network (X: the id; Bluesky: its at:// URI; Mastodon: its uri) */
  nativeId: string;
  username: string;
  name: string;
  text: string;
  createdAt: string;
  kind: string;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  engagement: number;
  impressions: number | null;
}

export interface CampaignFigures {
  posts: number;
  reposts: number;
  engagement: number;
  /** null when X reported no impression count for any of the posts */
  impressions: number | null;
}

/** The account's campaign posts in the window, by the metric definitions of docs/METRICS.md. */
export async function campaignFigures(
  db: Db,
  campaign: Campaign,
  accountId: string,
): Promise<CampaignFigures> {
  const row = await campaignPosts(db, campaign, accountId)
    .select([
      sql<number>`count(*) filter (where p.kind <> 'repost')::int`.as('posts'),
      sql<number>`count(*) filter (where p.kind = 'repost')::int`.as('reposts'),
      sql<string>`coalesce(sum(p.like_count + p.repost_count + p.reply_count + p.quote_count) filter (where p.kind <> 'repost'), 0)`.as(
        'engagement',
      ),
      sql<string | null>`sum(p.impression_count) filter (where p.kind <> 'repost')`.as('impressions'),
    ])
    .executeTakeFirstOrThrow();
  return {
    posts: row.posts,
    reposts: row.reposts,
    engagement: Number(row.engagement),
    impressions: row.impressions === null ? null : Number(row.impressions),
  };
}

/** The account's campaign posts (not reposts) with the most engagement. */
export async function topPostsOf(
  db: Db,
  campaign: Campaign,
  account: { id: string; network: Network; username: string; name: string },
  limit = 10,
): Promise<TopPost[]> {
  const rows = await campaignPosts(db, campaign, account.id)
    .where('p.kind', '<>', 'repost')
    .select([
      'p.id',
      sql<string>`coalesce(p.native_id, p.id::text)`.as('native_id'),
      'p.text',
      'p.created_at',
      'p.kind',
      'p.like_count',
      'p.repost_count',
      'p.reply_count',
      'p.quote_count',
      'p.impression_count',
    ])
    .orderBy(sql`p.like_count + p.repost_count + p.reply_count + p.quote_count`, 'desc')
    .orderBy('p.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    network: account.network,
    nativeId: row.native_id,
    username: account.username,
    name: account.name,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    kind: row.kind,
    likes: row.like_count,
    reposts: row.repost_count,
    replies: row.reply_count,
    quotes: row.quote_count,
    engagement: row.like_count + row.repost_count + row.reply_count + row.quote_count,
    impressions: row.impression_count === null ? null : Number(row.impression_count),
  }));
}

function campaignPosts(db: Db, campaign: Campaign, accountId: string) {
  return db
    .selectFrom('posts as p')
    .where('p.author_id', '=', accountId)
    .where('p.created_at', '>=', campaign.window_start)
    .where('p.created_at', '<', campaign.window_end)
    .where('p.deleted', '=', false)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('campaign_posts as cp')
          .select(sql`1`.as('one'))
          .whereRef('cp.post_id', '=', 'p.id')
          .where('cp.campaign_id', '=', campaign.id),
      ),
    );
}
