import { sql } from 'kysely';
import { watchlist } from './campaigns.ts';
import type { Db } from './database.ts';
import type { Campaign } from './schema.ts';

/** Reads of the pages beyond the ranking API: the run log, an account's figures and posts, admin lists. */

/** The watchlist without the home account, in the campaign file's order. */
export async function peersOf(db: Db, campaignId: number): Promise<string[]> {
  return (await watchlist(db, campaignId)).filter((row) => row.role === 'peer').map((row) => row.username);
}

/** The account last seen under this username (usernames are case-insensitive and can be reused). */
export async function findAccount(db: Db, username: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(username)`, '=', username.toLowerCase())
    .orderBy('last_seen_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function latestSnapshot(db: Db, accountId: string, at: Date) {
  return db
    .selectFrom('account_snapshots')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('observed_at', '<=', at)
    .orderBy('observed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface CampaignFigures {
  posts: number;
  reposts: number;
  engagement: number;
  /** null when X reported no impression count for any of the posts */
  impressions: number | null;
}

/** The account's campaign posts in the window, by the metric definitions of the README. */
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

/** A post with its latest engagement reading, as the top-posts lists show it. */
export interface TopPost {
  id: string;
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

/** The account's campaign posts (not reposts) with the most engagement. */
export async function topPostsOf(
  db: Db,
  campaign: Campaign,
  account: { id: string; username: string; name: string },
  limit = 10,
): Promise<TopPost[]> {
  const rows = await campaignPosts(db, campaign, account.id)
    .where('p.kind', '<>', 'repost')
    .select([
      'p.id',
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

/** The run log, newest first, with the campaign's slug. */
export async function recentRuns(db: Db, limit: number) {
  return db
    .selectFrom('collection_runs as r')
    .leftJoin('campaigns as c', 'c.id', 'r.campaign_id')
    .select([
      'r.id',
      'c.slug',
      'r.kind',
      'r.target',
      'r.started_at',
      'r.finished_at',
      'r.requests',
      'r.posts_new',
      'r.posts_updated',
      'r.outcome',
      'r.error',
    ])
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit)
    .execute();
}

/** X requests made per campaign since the start of the UTC day and of the UTC month of `now`. */
export async function requestCounts(db: Db, now: Date) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const rows = await db
    .selectFrom('collection_runs')
    .select([
      'campaign_id',
      sql<string>`coalesce(sum(requests) filter (where started_at >= ${day}), 0)`.as('today'),
      sql<string>`coalesce(sum(requests), 0)`.as('month'),
    ])
    .where('started_at', '>=', month)
    .where('started_at', '<=', now)
    .groupBy('campaign_id')
    .execute();
  return new Map(
    rows.map((row) => [row.campaign_id, { today: Number(row.today), month: Number(row.month) }]),
  );
}

/** What the admin section lists for a campaign. */
export async function adminLists(db: Db, campaignId: number) {
  const [queries, accounts] = await Promise.all([
    db
      .selectFrom('campaign_queries')
      .select(['id', 'query', 'active', 'backfill_done'])
      .where('campaign_id', '=', campaignId)
      .orderBy('active', 'desc')
      .orderBy('id')
      .execute(),
    watchlist(db, campaignId),
  ]);
  return { queries, accounts };
}
