import { sql } from 'kysely';
import type { XUser } from '../networks/x/types.ts';
import type { Db } from './database.ts';
import { uniqueById } from './ids.ts';

type Executor = Pick<Db, 'insertInto' | 'updateTable' | 'selectFrom'>;

/** Inserts or refreshes accounts; profile fields follow the latest reading. */
export async function upsertAccounts(db: Executor, users: XUser[], seenAt: Date): Promise<void> {
  const unique = uniqueById(users, (user) => user.id);
  if (unique.length === 0) return;
  await db
    .insertInto('accounts')
    .values(
      unique.map((user) => ({
        id: user.id,
        username: user.username,
        name: user.name,
        description: user.description,
        profile_image_url: user.profileImageUrl,
        verified: user.verified,
        created_at: user.createdAt,
        suspended: false,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        username: sql`excluded.username`,
        name: sql`excluded.name`,
        description: sql`coalesce(excluded.description, accounts.description)`,
        profile_image_url: sql`coalesce(excluded.profile_image_url, accounts.profile_image_url)`,
        verified: sql`coalesce(excluded.verified, accounts.verified)`,
        created_at: sql`coalesce(excluded.created_at, accounts.created_at)`,
        suspended: false,
        last_seen_at: sql`greatest(accounts.last_seen_at, excluded.last_seen_at)`,
      }),
    )
    .execute();
}

/**
 * One row per account per reading; a replayed reading (same instant) is not doubled, nor a second
 * reading for the same schedule `tick`.
 */
export async function insertAccountSnapshots(
  db: Executor,
  users: XUser[],
  observedAt: Date,
  tick: string | null = null,
  /** `collected`, or `import:<file>` for readings kept elsewhere */
  source = 'collected',
): Promise<number> {
  const rows = uniqueById(users, (user) => user.id).flatMap((user) =>
    user.metrics
      ? [
          {
            account_id: user.id,
            observed_at: observedAt,
            followers_count: user.metrics.followers,
            following_count: user.metrics.following,
            post_count: user.metrics.posts,
            listed_count: user.metrics.listed,
            tick,
            source,
          },
        ]
      : [],
  );
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('account_snapshots')
    .values(rows)
    // either key: (account_id, observed_at) or (account_id, tick)
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0);
}

/** X reported these usernames as suspended: keep the account, flag it. */
export async function markSuspended(db: Executor, usernames: string[]): Promise<void> {
  if (usernames.length === 0) return;
  await db
    .updateTable('accounts')
    .set({ suspended: true })
    .where(
      sql<string>`lower(username)`,
      'in',
      usernames.map((name) => name.toLowerCase()),
    )
    .execute();
}
