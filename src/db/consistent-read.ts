import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Runs several reads on one snapshot of the database (a repeatable-read, read-only transaction),
 * so figures read by different queries agree while collectors write; inside a transaction already,
 * reads on it.
 */
export function inSnapshot<T>(db: Db, read: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return read(db);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // These reads are short: compiling them (JIT, on by default for costly plans) takes longer
      // than running them.
      await sql`set local jit = off`.execute(trx);
      return read(trx);
    });
}
