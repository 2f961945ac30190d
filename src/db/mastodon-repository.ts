import { sql, type Transaction } from 'kysely';
import type { EngagementCounts, NetworkAccount, NetworkPost } from '../networks/types.ts';
import type { Db } from './database.ts';
import type { Database, PostSource } from './schema.ts';

/**
 * Mastodon rows under (network, native id) (docs/ARCHITECTURE.md "Multi-network storage"): an account is
 * its uri, a status its uri, so the same status read through two instances is one row. Counts and
 * followers are authoritative only on the home instance (src/networks/mastodon/home.ts): a tag page's copy
 * gives a new post its first counts and never overwrites a stored post's; readings (`post_metric_snapshots`,
 * `account_snapshots`) are taken from the home only, so a series never steps back to a stale copy.
 */

type Executor = Db | Transaction<Database>;

/** Where a (tag, instance) query stands; moved in the transaction that stores the page it covers. */
export interface MastodonCursor {
  /** local id (on the query's instance) of the newest status stored: the `min_id` of the next poll */
  newestId: string | null;
  /** local id of the oldest status the walk back reached: its next `max_id` */
  oldestId: string | null;
  /** the walk back reached the window's start or the end of the timeline */
  backfillDone: boolean;
}

const emptyMastodonCursor: MastodonCursor = { newestId: null, oldestId: null, backfillDone: false };

/** An active Mastodon query with its campaign's window, or undefined. */
export async function mastodonQuery(db: Executor, queryId: number) {
  const row = await db
    .selectFrom('campaign_queries as q')
    .innerJoin('campaigns as c', 'c.id', 'q.campaign_id')
    .select(['q.id', 'q.campaign_id', 'q.instance', 'q.query', 'q.cursor', 'c.window_start', 'c.window_end'])
    .where('q.id', '=', queryId)
    .where('q.network', '=', 'mastodon')
    .where('q.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, cursor: { ...emptyMastodonCursor, ...(row.cursor as Partial<MastodonCursor> | null) } };
}

/** The campaign's active Mastodon queries. */
export async function mastodonQueries(db: Executor, campaignId: number) {
  const rows = await db
    .selectFrom('campaign_queries')
    .select(['id', 'instance', 'query', 'cursor'])
    .where('campaign_id', '=', campaignId)
    .where('network', '=', 'mastodon')
    .where('active', '=', true)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    ...row,
    cursor: { ...emptyMastodonCursor, ...(row.cursor as Partial<MastodonCursor> | null) },
  }));
}

/**
 * Rows once each, in the order of their native ids: every writer locks accounts, then posts, each in this
 * order, so instances' workers writing side by side never wait on each other in a circle.
 */
function byNativeId<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((row) => [row.id, row])).values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}

/** Inserts or refreshes accounts by uri; returns their row ids by uri. */
async function upsertAccounts(
  db: Executor,
  accounts: readonly NetworkAccount[],
  seenAt: Date,
): Promise<Map<string, string>> {
  const unique = byNativeId(accounts);
  if (unique.length === 0) return new Map();
  const rows = await db
    .insertInto('accounts')
    .values(
      unique.map((account) => ({
        network: 'mastodon' as const,
        native_id: account.id,
        username: account.handle,
        name: account.name,
        description: account.description,
        profile_image_url: account.avatarUrl,
        verified: null,
        created_at: account.createdAt,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['network', 'native_id']).doUpdateSet({
        username: sql`excluded.username`,
        name: sql`excluded.name`,
        description: sql`coalesce(excluded.description, accounts.description)`,
        profile_image_url: sql`coalesce(excluded.profile_image_url, accounts.profile_image_url)`,
        created_at: sql`coalesce(excluded.created_at, accounts.created_at)`,
        last_seen_at: sql`greatest(accounts.last_seen_at, excluded.last_seen_at)`,
      }),
    )
    .returning(['id', 'native_id'])
    .execute();
  return new Map(rows.map((row) => [row.native_id as string, row.id]));
}

export interface MastodonPageRows {
  campaignId: number;
  queryId: number;
  posts: readonly NetworkPost[];
  /** the authors of `posts` (a copy's counts: no follower reading is taken from them) */
  accounts: readonly NetworkAccount[];
  observedAt: Date;
  source: PostSource;
}

/**
 * Stores a page of statuses for a query: authors, posts (new ones inserted with the copy's counts, stored
 * ones left as they are) and their campaign links. Returns how many posts were new.
 */
export async function storeMastodonPosts(db: Executor, page: MastodonPageRows): Promise<number> {
  const posts = byNativeId(page.posts);
  if (posts.length === 0) return 0;
  const authorIds = await upsertAccounts(db, page.accounts, page.observedAt);
  const rows = await db
    .insertInto('posts')
    .values(
      posts.map((post) => {
        const authorId = authorIds.get(post.authorId);
        if (!authorId) throw new Error(`status ${post.id} came without its author ${post.authorId}`);
        return {
          network: 'mastodon' as const,
          native_id: post.id,
          author_id: authorId,
          created_at: post.createdAt,
          text: post.text,
          lang: post.lang,
          kind: post.kind,
          referenced_post_id: null,
          referenced_native_id: post.referencedPostId,
          conversation_id: null,
          hashtags: post.hashtags,
          mentions: post.mentions,
          like_count: post.counts.like,
          repost_count: post.counts.repost,
          reply_count: post.counts.reply,
          quote_count: post.counts.quote,
          bookmark_count: null,
          impression_count: null,
          metrics_observed_at: page.observedAt,
          first_seen_at: page.observedAt,
          source: page.source,
        };
      }),
    )
    // A stored post keeps its counts: they are the home's, or a copy's until the home is read.
    .onConflict((oc) => oc.columns(['network', 'native_id']).doUpdateSet({ deleted: false }))
    .returning(['id', sql<boolean>`xmax = 0`.as('inserted')])
    .execute();
  await db
    .insertInto('campaign_posts')
    .values(
      rows.map((row) => ({
        campaign_id: page.campaignId,
        query_id: page.queryId,
        post_id: row.id,
        matched_at: page.observedAt,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  return rows.filter((row) => row.inserted).length;
}

/**
 * Moves the fields given, leaving the others: a poll (newest end) and a walk back (oldest end) of the
 * same query may run side by side, and neither may undo the other's move.
 */
export async function saveMastodonCursor(db: Executor, queryId: number, moved: Partial<MastodonCursor>) {
  await db
    .updateTable('campaign_queries')
    .set({ cursor: sql`coalesce(cursor, '{}'::jsonb) || ${JSON.stringify(moved)}::jsonb` })
    .where('id', '=', queryId)
    .execute();
}

/** The campaign's Mastodon statuses (not boosts, whose counts are always 0), by uri. */
export async function mastodonCampaignStatuses(db: Executor, campaignId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('posts as p')
    .select('p.native_id')
    .where('p.network', '=', 'mastodon')
    .where('p.kind', '<>', 'repost')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('campaign_posts as cp')
          .select('cp.post_id')
          .whereRef('cp.post_id', '=', 'p.id')
          .where('cp.campaign_id', '=', campaignId),
      ),
    )
    .orderBy('p.id', 'desc')
    .execute();
  return rows.map((row) => row.native_id as string);
}

/** Authors of the campaign's Mastodon posts: uri and handle. */
export async function mastodonCampaignAuthors(db: Executor, campaignId: number) {
  return db
    .selectFrom('accounts as a')
    .select(['a.native_id as uri', 'a.username as handle'])
    .where('a.network', '=', 'mastodon')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('posts as p')
          .innerJoin('campaign_posts as cp', 'cp.post_id', 'p.id')
          .select('p.id')
          .whereRef('p.author_id', '=', 'a.id')
          .where('cp.campaign_id', '=', campaignId),
      ),
    )
    .orderBy('a.id', 'desc')
    .$narrowType<{ uri: string }>()
    .execute();
}

/** The campaign's named Mastodon accounts (home and watchlist), `user@domain`. */
export async function mastodonNamedAccounts(db: Executor, campaignId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('campaign_accounts')
    .select('username')
    .where('campaign_id', '=', campaignId)
    .where('network', '=', 'mastodon')
    .orderBy('username')
    .execute();
  return rows.map((row) => row.username);
}

/**
 * What a home instance said: fresh counts of its statuses and its accounts' follower counts, each a
 * reading at `observedAt`; named accounts are linked to the campaign's watchlist rows. Returns the
 * number of posts whose counts were written.
 */
export async function saveHomeReadings(
  db: Db,
  home: {
    campaignId: number;
    counts: ReadonlyMap<string, EngagementCounts>;
    accounts: readonly NetworkAccount[];
    observedAt: Date;
  },
): Promise<number> {
  return db.transaction().execute((trx) => writeHomeReadings(trx, home));
}

async function writeHomeReadings(
  db: Transaction<Database>,
  home: Parameters<typeof saveHomeReadings>[1],
): Promise<number> {
  const at = home.observedAt;
  const accountIds = await upsertAccounts(db, home.accounts, at);
  const readings = home.accounts.flatMap((account) => {
    const id = accountIds.get(account.id);
    return id && account.counts
      ? [
          {
            account_id: id,
            observed_at: at,
            followers_count: account.counts.followers,
            following_count: account.counts.following,
            post_count: account.counts.posts,
            listed_count: null,
          },
        ]
      : [];
  });
  if (readings.length > 0) {
    await db
      .insertInto('account_snapshots')
      .values(readings)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  if (home.accounts.length > 0) {
    await db
      .updateTable('campaign_accounts as w')
      .from('accounts as a')
      .set({ account_id: sql`a.id` })
      .where('w.campaign_id', '=', home.campaignId)
      .where('w.network', '=', 'mastodon')
      .whereRef('a.network', '=', 'w.network')
      .whereRef(sql`lower(a.username)`, '=', sql`lower(w.username)`)
      .where(
        'a.native_id',
        'in',
        home.accounts.map((account) => account.id),
      )
      .execute();
  }
  const counts = [...home.counts].map(([uri, value]) => ({ uri, ...value }));
  if (counts.length === 0) return 0;
  // Locked in native id order first (an UPDATE locks in whatever order its plan visits rows).
  await db
    .selectFrom('posts')
    .select('id')
    .where('network', '=', 'mastodon')
    .where(
      'native_id',
      'in',
      counts.map((c) => c.uri),
    )
    .orderBy('native_id')
    .forUpdate()
    .execute();
  const updated = await sql<{ id: string }>`
    update posts p set
      like_count = c.like, repost_count = c.repost, reply_count = c.reply, quote_count = c.quote,
      metrics_observed_at = ${at}
    from jsonb_to_recordset(${JSON.stringify(counts)}::jsonb)
      as c (uri text, "like" integer, repost integer, reply integer, quote integer)
    where p.network = 'mastodon' and p.native_id = c.uri and p.metrics_observed_at <= ${at}
    returning p.id`.execute(db);
  if (updated.rows.length === 0) return 0;
  await db
    .insertInto('post_metric_snapshots')
    .columns([
      'post_id',
      'observed_at',
      'like_count',
      'repost_count',
      'reply_count',
      'quote_count',
      'bookmark_count',
      'impression_count',
      'source',
    ])
    .expression((eb) =>
      eb
        .selectFrom('posts')
        .select([
          'id',
          sql<Date>`${at}::timestamptz`.as('observed_at'),
          'like_count',
          'repost_count',
          'reply_count',
          'quote_count',
          'bookmark_count',
          'impression_count',
          sql<string>`'lookup'`.as('source'),
        ])
        .where(
          'id',
          'in',
          updated.rows.map((row) => row.id),
        ),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  return updated.rows.length;
}
