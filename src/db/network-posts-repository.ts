import { sql } from 'kysely';
import type { NetworkAccount, NetworkPost } from '../networks/types.ts';
import type { Db } from './database.ts';
import type { PostSource } from './schema.ts';

/**
 * Storage of the networks other than X (Bluesky, Mastodon), keyed on (network, native id) as
 * docs/ARCHITECTURE.md "Multi-network storage" says: new rows take their ids from the negative
 * sequences, so they never meet X's. X keeps its own tuned statement (src/db/posts.ts). Every write
 * is an upsert on the native ids, so a replayed page or reading changes nothing it already stored.
 * Rows are written in native-id order: concurrent writers lock shared rows in the same order.
 */

/** Networks stored here (X has src/db/posts.ts). */
export type OtherNetwork = 'bluesky' | 'mastodon';

type Executor = Db;

export interface NetworkPage {
  network: OtherNetwork;
  posts: NetworkPost[];
  /** the posts' authors (a repost's reposter and original author included) */
  accounts: NetworkAccount[];
  /** when the request was sent: the instant the page's metric readings describe */
  observedAt: Date;
  /** how the page came: a new post keeps it for good; each reading records its own */
  source: PostSource;
  /** the campaign query whose search returned the page */
  match?: { campaignId: number; queryId: number };
  /** a feed page: its reposts of this campaign's posts join the campaign under the original's queries */
  repostsOf?: { campaignId: number };
  /**
   * Moves the query's collector cursor in the page's transaction: the object's top-level keys replace
   * the stored cursor's (a poll and a backfill of one query each move their own keys). `value` may
   * depend on what the page stored.
   */
  cursor?: { queryId: number; value: CursorKeys | ((stored: StoredNetworkPage) => CursorKeys) };
}

export type CursorKeys = Record<string, unknown>;

export interface StoredNetworkPage {
  postsNew: number;
  postsUpdated: number;
  /** posts left out because their author came neither with the page nor earlier */
  orphans: number;
  /** posts linked to the page's `match` query for the first time */
  linked: number;
}

/**
 * One page of posts with their authors, a metrics reading per post, the campaign links and the
 * query's cursor, in one transaction: a crash never skips the page nor moves the cursor past it.
 */
export async function storeNetworkPage(db: Db, page: NetworkPage): Promise<StoredNetworkPage> {
  return db.transaction().execute(async (trx) => {
    await lockRepostLinks(trx, page);
    await upsertNetworkAccounts(trx, page.network, page.accounts, page.observedAt);
    const posts = uniqueNative(page.posts);
    const written = await upsertPosts(trx, page.network, posts, page.observedAt, page.source);
    const { stored, linked } = await insertReadingsAndLinks(trx, page, posts);
    const result = {
      postsNew: written.inserted,
      postsUpdated: stored - written.inserted,
      orphans: posts.length - stored,
      linked,
    };
    if (page.cursor) await moveCursor(trx, page.cursor.queryId, cursorKeys(page.cursor.value, result));
    return result;
  });
}

/**
 * A feed's reposts join the campaign when their original is linked, and a search page links the
 * reposts stored before it: two transactions that ran side by side would each miss the other's rows.
 * Feed pages with reposts take the campaign's lock alone, search pages share it.
 */
async function lockRepostLinks(db: Executor, page: NetworkPage): Promise<void> {
  const key = sql`hashtext('network repost links'), ${page.match?.campaignId ?? page.repostsOf?.campaignId ?? null}::integer`;
  if (page.repostsOf && page.posts.some((post) => post.kind === 'repost')) {
    await sql`select pg_advisory_xact_lock(${key})`.execute(db);
  } else if (page.match) {
    await sql`select pg_advisory_xact_lock_shared(${key})`.execute(db);
  }
}

/** Replaces the given top-level keys of a query's cursor (see NetworkPage.cursor). */
export async function moveCursor(db: Executor, queryId: number, keys: CursorKeys): Promise<void> {
  await sql`update campaign_queries set cursor = coalesce(cursor, '{}'::jsonb) || ${JSON.stringify(keys)}::jsonb
    where id = ${queryId}`.execute(db);
}

function cursorKeys(
  value: NonNullable<NetworkPage['cursor']>['value'],
  stored: StoredNetworkPage,
): CursorKeys {
  return typeof value === 'function' ? value(stored) : value;
}

/** Inserts or refreshes accounts; profile fields follow the latest reading. */
export async function upsertNetworkAccounts(
  db: Executor,
  network: OtherNetwork,
  accounts: NetworkAccount[],
  seenAt: Date,
): Promise<void> {
  const rows = uniqueNative(accounts).map((account) => ({
    native_id: account.id,
    username: account.handle,
    name: account.name,
    description: account.description,
    profile_image_url: account.avatarUrl,
    created_at: account.createdAt,
  }));
  if (rows.length === 0) return;
  // An unchanged account is not rewritten: its rank triggers stay quiet.
  await sql`
    insert into accounts as a (network, native_id, username, name, description, profile_image_url,
      created_at, suspended, first_seen_at, last_seen_at)
    select ${network}, native_id, username, name, description, profile_image_url, created_at, false,
      ${seenAt}, ${seenAt}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as u (native_id text, username text,
      name text, description text, profile_image_url text, created_at timestamptz)
    order by native_id
    on conflict (network, native_id) do update set
      username = excluded.username,
      name = excluded.name,
      description = coalesce(excluded.description, a.description),
      profile_image_url = coalesce(excluded.profile_image_url, a.profile_image_url),
      created_at = coalesce(excluded.created_at, a.created_at),
      suspended = false,
      last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at)
    where a.last_seen_at < excluded.last_seen_at or a.suspended
      or (a.username, a.name) is distinct from (excluded.username, excluded.name)
  `.execute(db);
}

/**
 * A follower reading per account that reports counts; a replayed reading (same instant) is not
 * doubled, nor a second one for the same schedule `tick`. Accounts are upserted first (a profile
 * reading also refreshes handles: a renamed Bluesky handle follows its DID).
 */
export async function insertNetworkAccountReadings(
  db: Db,
  network: OtherNetwork,
  accounts: NetworkAccount[],
  observedAt: Date,
  tick: string | null = null,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await upsertNetworkAccounts(trx, network, accounts, observedAt);
    const rows = uniqueNative(accounts).flatMap((account) =>
      account.counts
        ? [
            {
              native_id: account.id,
              followers: account.counts.followers,
              following: account.counts.following,
              posts: account.counts.posts,
              listed: account.counts.listed,
            },
          ]
        : [],
    );
    if (rows.length === 0) return 0;
    const result = await sql`
      insert into account_snapshots (account_id, observed_at, followers_count, following_count,
        post_count, listed_count, tick, source)
      select a.id, ${observedAt}, r.followers, r.following, r.posts, r.listed, ${tick}, 'collected'
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r (native_id text, followers integer,
        following integer, posts integer, listed integer)
      join accounts a on a.network = ${network} and a.native_id = r.native_id
      order by a.id
      -- either key: (account_id, observed_at) or (account_id, tick)
      on conflict do nothing
    `.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

/**
 * A metrics re-read: each post found gets its counts and a reading; posts the network no longer
 * returns are flagged deleted (kept, no longer counted), as X's refresh does.
 */
export async function storeNetworkMetricReadings(
  db: Db,
  network: OtherNetwork,
  read: { found: NetworkPost[]; missing: string[]; observedAt: Date },
): Promise<{ posts: number; deleted: number }> {
  return db.transaction().execute(async (trx) => {
    const posts = uniqueNative(read.found);
    const written = await upsertPosts(trx, network, posts, read.observedAt, 'lookup', { onlyKnown: true });
    await insertReadingsAndLinks(trx, { network, observedAt: read.observedAt, source: 'lookup' }, posts);
    let deleted = 0;
    if (read.missing.length > 0) {
      const result = await sql`
        update posts set deleted = true
        where network = ${network} and native_id = any(${[...read.missing].sort()}::text[]) and not deleted
      `.execute(trx);
      deleted = Number(result.numAffectedRows ?? 0);
    }
    return { posts: written.written, deleted };
  });
}

function postRow(post: NetworkPost) {
  return {
    native_id: post.id,
    author_native_id: post.authorId,
    created_at: post.createdAt,
    text: post.text,
    lang: post.lang,
    kind: post.kind,
    referenced_native_id: post.referencedPostId,
    hashtags: post.hashtags,
    mentions: post.mentions,
    like_count: post.counts.like,
    repost_count: post.counts.repost,
    reply_count: post.counts.reply,
    quote_count: post.counts.quote,
    bookmark_count: post.counts.bookmark,
    impression_count: post.counts.impression,
  };
}

const postRecord = sql`(native_id text, author_native_id text, created_at timestamptz, text text,
  lang text, kind text, referenced_native_id text, hashtags text[], mentions text[], like_count integer,
  repost_count integer, reply_count integer, quote_count integer, bookmark_count integer,
  impression_count bigint)`;

/**
 * New posts inserted, known ones given the counts of a newer reading (an older one, replayed, is
 * ignored). `onlyKnown`: a re-read never brings a post the campaign did not store.
 */
async function upsertPosts(
  db: Executor,
  network: OtherNetwork,
  posts: NetworkPost[],
  at: Date,
  source: PostSource,
  options: { onlyKnown?: boolean } = {},
): Promise<{ inserted: number; written: number }> {
  if (posts.length === 0) return { inserted: 0, written: 0 };
  const known = options.onlyKnown
    ? sql`and exists (select 1 from posts k where k.network = ${network} and k.native_id = p.native_id)`
    : sql``;
  const { rows } = await sql<{ inserted: boolean }>`
    insert into posts as t (network, native_id, author_id, created_at, text, lang, kind,
      referenced_native_id, hashtags, mentions, like_count, repost_count, reply_count, quote_count,
      bookmark_count, impression_count, metrics_observed_at, first_seen_at, source)
    select ${network}, p.native_id, a.id, p.created_at, p.text, p.lang, p.kind, p.referenced_native_id,
      p.hashtags, p.mentions, p.like_count, p.repost_count, p.reply_count, p.quote_count,
      p.bookmark_count, p.impression_count, ${at}, ${at}, ${source}
    from jsonb_to_recordset(${JSON.stringify(posts.map(postRow))}::jsonb) as p ${postRecord}
    join accounts a on a.network = ${network} and a.native_id = p.author_native_id
    where true ${known}
    order by p.native_id
    on conflict (network, native_id) do update set
      like_count = excluded.like_count,
      repost_count = excluded.repost_count,
      reply_count = excluded.reply_count,
      quote_count = excluded.quote_count,
      bookmark_count = excluded.bookmark_count,
      impression_count = excluded.impression_count,
      metrics_observed_at = excluded.metrics_observed_at,
      deleted = false
    where t.metrics_observed_at < excluded.metrics_observed_at
    -- xmax is 0 on a freshly inserted row: tells inserts from updates in one statement.
    returning (xmax = 0) as inserted
  `.execute(db);
  return { inserted: rows.filter((row) => row.inserted).length, written: rows.length };
}

/**
 * One reading per stored post at the page's instant, and the campaign links the page brings.
 * Returns how many of the posts are stored (the others are orphans) and how many `match` links are new.
 */
async function insertReadingsAndLinks(
  db: Executor,
  page: Pick<NetworkPage, 'network' | 'observedAt' | 'source' | 'match' | 'repostsOf'>,
  posts: NetworkPost[],
): Promise<{ stored: number; linked: number }> {
  if (posts.length === 0) return { stored: 0, linked: 0 };
  const match = page.match;
  const campaignId = page.repostsOf?.campaignId ?? null;
  const { rows } = await sql<{ stored: string; linked: string }>`
    with p as (
      -- the page's own counts: the post row may already hold a newer reading's
      select t.id, t.native_id, r.kind, r.referenced_native_id, r.like_count, r.repost_count, r.reply_count,
        r.quote_count, r.bookmark_count, r.impression_count
      from jsonb_to_recordset(${JSON.stringify(posts.map(postRow))}::jsonb) as r ${postRecord}
      join posts t on t.network = ${page.network} and t.native_id = r.native_id
    ), readings as (
      insert into post_metric_snapshots (post_id, observed_at, like_count, repost_count, reply_count,
        quote_count, bookmark_count, impression_count, source)
      select id, ${page.observedAt}, like_count, repost_count, reply_count, quote_count, bookmark_count,
        impression_count, ${page.source}
      from p order by id
      on conflict (post_id, observed_at) do nothing
    ), links as (
      insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
      select ${match?.campaignId ?? null}::integer, ${match?.queryId ?? null}::integer, id, ${page.observedAt}
      from p where ${match ? 1 : 0} = 1 order by id
      on conflict (campaign_id, query_id, post_id) do nothing
      returning 1
    ), repost_links as (
      insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
      select original.campaign_id, original.query_id, p.id, original.matched_at
      from p
      join posts o on o.network = ${page.network} and o.native_id = p.referenced_native_id
      join campaign_posts original on original.post_id = o.id and original.campaign_id = ${campaignId}::integer
      where p.kind = 'repost'
      order by p.id
      on conflict (campaign_id, query_id, post_id) do nothing
    ), backlinks as (
      -- reposts a feed stored before search found their original
      insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
      select ${match?.campaignId ?? null}::integer, ${match?.queryId ?? null}::integer, r.id, ${page.observedAt}
      from p
      join posts r on r.network = ${page.network} and r.referenced_native_id = p.native_id and r.kind = 'repost'
      where ${match ? 1 : 0} = 1
      order by r.id
      on conflict (campaign_id, query_id, post_id) do nothing
    )
    select (select count(*) from p) as stored, (select count(*) from links) as linked
  `.execute(db);
  return { stored: Number(rows[0]?.stored ?? 0), linked: Number(rows[0]?.linked ?? 0) };
}

/** One item per native id (the last wins), in native-id order. */
function uniqueNative<T extends { id: string }>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
