import { sql, type Transaction } from 'kysely';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

export interface BilledReads {
  /** posts and users X returned */
  postsRead: number;
  usersRead: number;
  /** of those, the ones not read before on the same UTC day: what X bills */
  postsBilled: number;
  usersBilled: number;
}

export const noReads: BilledReads = { postsRead: 0, usersRead: 0, postsBilled: 0, usersBilled: 0 };

/** The UTC day X bills a read on. */
export function billingDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Records the posts and users one X answer returned, once per UTC day, and tells how many of them
 * X bills: those not already recorded that day, by any run or worker (the primary key decides, so
 * two workers reading the same post at once bill it once). Call it in the transaction that stores
 * the answer: a crash before the commit re-reads the page, on the same day billed once, recorded then.
 * Call it last in that transaction, after the accounts and posts: every writer then takes its
 * locks in the same order (accounts, posts, x_reads), and two pages sharing authors cannot deadlock.
 */
export async function recordReads(
  db: Db | Transaction<Database>,
  read: { at: Date; postIds: readonly string[]; userIds: readonly string[] },
): Promise<BilledReads> {
  const postIds = ascending(read.postIds);
  const userIds = ascending(read.userIds);
  const billed = async (kind: 'post' | 'user', ids: string[]) => {
    if (ids.length === 0) return 0;
    const { rows } = await sql<{ billed: number }>`
      with fresh as (
        insert into x_reads (day, kind, id)
        select ${billingDay(read.at)}::date, ${kind}, u.id from unnest(${ids}::bigint[]) as u (id)
        order by u.id
        on conflict do nothing
        returning 1
      )
      select count(*)::int as billed from fresh
    `.execute(db);
    return rows[0]?.billed ?? 0;
  };
  return {
    postsRead: postIds.length,
    usersRead: userIds.length,
    postsBilled: await billed('post', postIds),
    usersBilled: await billed('user', userIds),
  };
}

/**
 * Distinct ids in numeric order: concurrent transactions then take the keys' locks in the same
 * order and cannot deadlock on two pages that share posts.
 */
function ascending(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => {
    const d = BigInt(a) - BigInt(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

/** Only today's rows decide what X bills; older days only take room. */
export async function pruneReads(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('x_reads')
    .where('day', '<', billingDay(new Date(now.getTime() - 86_400_000)))
    .execute();
}
