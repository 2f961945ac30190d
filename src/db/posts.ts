import { sql } from 'kysely';
import type { XPost, XUser } from '../networks/x/types.ts';
import type { Db } from './database.ts';
import { uniqueById } from './ids.ts';
import type { PostSource } from './schema.ts';
import {
  type BilledReads,
  type BilledRow,
  billedReads,
  countBilled,
  insertReads,
  noReads,
  type XRead,
} from './x-reads.ts';

/**
 * One page of X posts and their authors in a single statement: accounts upserted, posts upserted (new
 * ones inserted, metrics refreshed only by a later reading), one metrics reading per post, the
 * campaign links, and the reads X bills (x_reads, see recordReads). Keyed on X ids, so a replayed
 * page changes nothing it already stored. One round trip: rows travel as one JSON document each (no
 * wide VALUES lists to parse), and an account that did not change is not rewritten. Foreign keys and
 * the rank triggers (statement-level) run at the end of the statement, when every row is in.
 *
 * Lock order, the same as every other writer's (accounts, posts, x_reads): each step reads a count
 * of the one before it, so PostgreSQL has to finish that one first — a data dependency, where the
 * order of sibling CTEs would be left to the executor.
 */
export async function storePageRows(
  db: Pick<Db, 'executeQuery'>,
  page: {
    users: XUser[];
    posts: XPost[];
    observedAt: Date;
    /** how the page came: a new post keeps it for good; each reading records its own */
    source: PostSource;
    match?: { campaignId: number; queryId: number } | undefined;
    /** everything X returned, orphans included: X bills them all */
    read: Omit<XRead, 'at'>;
  },
): Promise<{ inserted: number; written: number; reads: BilledReads }> {
  const users = uniqueById(page.users, (user) => user.id).map((user) => ({
    id: user.id,
    username: user.username,
    name: user.name,
    description: user.description,
    profile_image_url: user.profileImageUrl,
    verified: user.verified,
    created_at: user.createdAt,
  }));
  const posts = uniqueById(page.posts, (post) => post.id).map((post) => ({
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
  }));
  const at = page.observedAt;
  const read = { at, ...page.read };
  if (users.length === 0 && posts.length === 0 && read.postIds.length === 0 && read.userIds.length === 0) {
    return { inserted: 0, written: 0, reads: noReads };
  }
  const { rows } = await sql<{ inserted: string; written: string } & BilledRow>`
    with u as (
      select * from jsonb_to_recordset(${JSON.stringify(users)}::jsonb) as u (
        id bigint, username text, name text, description text, profile_image_url text,
        verified boolean, created_at timestamptz)
    ), accounts_written as (
      insert into accounts as a (id, username, name, description, profile_image_url, verified, created_at,
        suspended, first_seen_at, last_seen_at)
      select id, username, name, description, profile_image_url, verified, created_at, false, ${at}, ${at}
      from u order by id
      on conflict (id) do update set
        username = excluded.username,
        name = excluded.name,
        description = coalesce(excluded.description, a.description),
        profile_image_url = coalesce(excluded.profile_image_url, a.profile_image_url),
        verified = coalesce(excluded.verified, a.verified),
        created_at = coalesce(excluded.created_at, a.created_at),
        suspended = false,
        last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at)
      where a.last_seen_at < excluded.last_seen_at or a.suspended
        or (a.username, a.name) is distinct from (excluded.username, excluded.name)
        or (excluded.description, excluded.profile_image_url, excluded.verified, excluded.created_at)
          is distinct from (
            coalesce(excluded.description, a.description),
            coalesce(excluded.profile_image_url, a.profile_image_url),
            coalesce(excluded.verified, a.verified),
            coalesce(excluded.created_at, a.created_at))
      returning 1
    ), p as (
      select * from jsonb_to_recordset(${JSON.stringify(posts)}::jsonb) as p (
        id bigint, author_id bigint, created_at timestamptz, text text, lang text, kind text,
        referenced_post_id bigint, conversation_id bigint, hashtags text[], mentions text[],
        like_count integer, repost_count integer, reply_count integer, quote_count integer,
        bookmark_count integer, impression_count bigint)
    ), posts_written as (
      insert into posts as t (id, author_id, created_at, text, lang, kind, referenced_post_id,
        conversation_id, hashtags, mentions, like_count, repost_count, reply_count, quote_count,
        bookmark_count, impression_count, metrics_observed_at, first_seen_at, source)
      select id, author_id, created_at, text, lang, kind, referenced_post_id, conversation_id,
        hashtags, mentions, like_count, repost_count, reply_count, quote_count, bookmark_count,
        impression_count, ${at}, ${at}, ${page.source}
      from p where (select count(*) from accounts_written) >= 0 order by id
      on conflict (id) do update set
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
    ), readings as (
      insert into post_metric_snapshots (post_id, observed_at, like_count, repost_count, reply_count,
        quote_count, bookmark_count, impression_count, source)
      select id, ${at}, like_count, repost_count, reply_count, quote_count, bookmark_count, impression_count,
        ${page.source}
      from p order by id
      on conflict (post_id, observed_at) do nothing
      returning 1
    ), links as (
      insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
      select ${page.match?.campaignId ?? null}::integer, ${page.match?.queryId ?? null}::integer, id, ${at}
      from p where ${page.match ? 1 : 0} = 1 order by id
      on conflict (campaign_id, query_id, post_id) do nothing
      returning 1
    ), written as (
      select (select count(*) filter (where inserted) from posts_written) as inserted,
        (select count(*) from posts_written) as written,
        (select count(*) from readings) + (select count(*) from links) as others
    ), billed as (${insertReads(read, sql`(select others from written) >= 0`)})
    select (select inserted from written) as inserted, (select written from written) as written, ${countBilled}
  `.execute(db as Db);
  return {
    inserted: Number(rows[0]?.inserted ?? 0),
    /** rows inserted or changed: a replayed reading changes nothing and is not counted */
    written: Number(rows[0]?.written ?? 0),
    reads: billedReads(read, rows[0]),
  };
}
