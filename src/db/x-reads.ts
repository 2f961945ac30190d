import { type RawBuilder, sql, type Transaction } from 'kysely';
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

/** The posts and users one X answer returned. */
export interface XRead {
  at: Date;
  postIds: readonly string[];
  userIds: readonly string[];
}

/**
 * Records the posts and users one X answer returned, once per UTC day, and tells how many of them
 * X bills: those not already recorded that day, by any run or worker (the primary key decides, so
 * two workers reading the same post at once bill it once). Call it in the transaction that stores
 * the answer: a crash before the commit re-reads the page, on the same day billed once, recorded then.
 * Call it last in that transaction, after the accounts and posts: every writer then takes its
 * locks in the same order (accounts, posts, x_reads), and two pages sharing authors cannot deadlock.
 */
export async function recordReads(db: Db | Transaction<Database>, read: XRead): Promise<BilledReads> {
  const { rows } = await sql<BilledRow>`
    with billed as (${insertReads(read)})
    select ${countBilled}
  `.execute(db);
  return billedReads(read, rows[0]);
}

/**
 * The insert of a read into x_reads, returning the kind of each billed id; for recordReads, or as a
 * CTE of a bigger statement (storePageRows), with `after` a condition that makes it wait for the
 * statement's earlier steps. Keys in order: two pages sharing posts take their locks in the same order.
 */
export function insertReads(read: XRead, after?: RawBuilder<unknown>): RawBuilder<{ kind: string }> {
  return sql`
    insert into x_reads (day, kind, id)
    select ${billingDay(read.at)}::date, r.kind, r.id
    from (
      select 'post' as kind, id from unnest(${[...new Set(read.postIds)]}::bigint[]) as u (id)
      union all
      select 'user', id from unnest(${[...new Set(read.userIds)]}::bigint[]) as u (id)
    ) r
    ${after ? sql`where ${after}` : sql``}
    order by r.kind, r.id
    on conflict do nothing
    returning kind`;
}

/** Select-list of the billed counts over a CTE named `billed` made by insertReads. */
export const countBilled = sql`
  count(*) filter (where kind = 'post') as posts_billed,
  count(*) filter (where kind = 'user') as users_billed
  from billed`;

export interface BilledRow {
  posts_billed: string | number;
  users_billed: string | number;
}

export function billedReads(read: XRead, row: BilledRow | undefined): BilledReads {
  return {
    postsRead: new Set(read.postIds).size,
    usersRead: new Set(read.userIds).size,
    postsBilled: Number(row?.posts_billed ?? 0),
    usersBilled: Number(row?.users_billed ?? 0),
  };
}

/** Only today's rows decide what X bills; older days only take room. */
export async function pruneReads(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('x_reads')
    .where('day', '<', billingDay(new Date(now.getTime() - 86_400_000)))
    .execute();
}
