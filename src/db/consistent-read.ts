import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Runs several reads on one snapshot of the database (a repeatable-read, read-only transaction),
 * so figures read by different queries agree while collectors write; inside a transaction already,
 * reads on it. `cheapPlans`: the reads' plans stay far below `jit_above_cost` (100,000), so JIT
 * cannot start and the statement that turns it off is a round trip saved.
 */
export function inSnapshot<T>(
  db: Db,
  read: (db: Db) => Promise<T>,
  options: { cheapPlans?: boolean } = {},
): Promise<T> {
  if (db.isTransaction) return read(db);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // These reads are short: compiling them (JIT, on by default for costly plans) takes longer
      // than running them.
      if (!options.cheapPlans) await sql`set local jit = off`.execute(trx);
      return read(trx);
    });
}
