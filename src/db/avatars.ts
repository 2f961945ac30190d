import { sql } from 'kysely';
import type { Db } from './database.ts';

/** An account whose profile image is to be fetched: never fetched, or its URL changed since. */
export interface AvatarToFetch {
  accountId: string;
  url: string;
}

/**
 * Accounts of a campaign whose `profile_image_url` has no stored image or failure yet, in the order
 * its pages show them: the home and watchlist accounts, then authors by their number of campaign
 * posts (the leaderboard's top first).
 */
export async function avatarsToFetch(db: Db, campaignId: number, limit: number): Promise<AvatarToFetch[]> {
  const { rows } = await sql<{ account_id: string; url: string }>`
    with authors as (
      select p.author_id as account_id, count(*) as posts
      from campaign_posts cp join posts p on p.id = cp.post_id
      where cp.campaign_id = ${campaignId}
      group by p.author_id
    ), watched as (
      select account_id from campaign_accounts where campaign_id = ${campaignId} and account_id is not null
    )
    select a.id as account_id, a.profile_image_url as url
    from accounts a
    left join authors au on au.account_id = a.id
    left join account_avatars av on av.account_id = a.id
    where a.profile_image_url is not null
      and (av.account_id is null or av.source_url <> a.profile_image_url)
      and (au.account_id is not null or a.id in (select account_id from watched))
    order by a.id in (select account_id from watched) desc, au.posts desc nulls last, a.id
    limit ${limit}`.execute(db);
  return rows.map((row) => ({ accountId: row.account_id, url: row.url }));
}

export type FetchedAvatar =
  | { url: string; contentType: string; body: Uint8Array; sha256: string }
  | { url: string; failure: string };

/** Stores an image (or why there is none) for an account, replacing what its previous URL gave. */
export async function storeAvatar(db: Db, accountId: string, avatar: FetchedAvatar, at: Date): Promise<void> {
  const row =
    'failure' in avatar
      ? { content_type: null, body: null, sha256: null, failure: avatar.failure }
      : { content_type: avatar.contentType, body: avatar.body, sha256: avatar.sha256, failure: null };
  await db
    .insertInto('account_avatars')
    .values({ account_id: accountId, source_url: avatar.url, fetched_at: at, ...row })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({ source_url: avatar.url, fetched_at: at, ...row }),
    )
    .execute();
}

export interface StoredAvatar {
  /** the stored image, or null when none was fetched (yet, or it failed) */
  image: { contentType: string; body: Uint8Array; sha256: string; sourceUrl: string } | null;
  /** the account's name and username, for initials in place of an image */
  name: string;
  username: string;
}

/** What the dashboard serves at /avatars/:id; undefined for an unknown account. */
export async function readAvatar(db: Db, accountId: string): Promise<StoredAvatar | undefined> {
  const row = await db
    .selectFrom('accounts as a')
    .leftJoin('account_avatars as av', 'av.account_id', 'a.id')
    .select(['a.name', 'a.username', 'av.content_type', 'av.body', 'av.sha256', 'av.source_url'])
    .where('a.id', '=', accountId)
    .executeTakeFirst();
  if (!row) return undefined;
  const image =
    row.body && row.content_type && row.sha256 && row.source_url
      ? { contentType: row.content_type, body: row.body, sha256: row.sha256, sourceUrl: row.source_url }
      : null;
  return { image, name: row.name, username: row.username };
}
