import { type Kysely, sql } from 'kysely';
import { functionStatements } from './sql-files.ts';

// Issue 17. rank_rebuild (after a bulk load, or when a campaign's window or timezone changes) wrote
// rank_daily and rank_mentions_daily in the order its aggregates produced: hash order whenever the
// planner hashed them, as it does on tables not analyzed since the load. Each day's rows then spread
// over every page of the table, where the triggers, writing a day's rows on that day, keep them
// together. A board of one day reads one day's rows (src/db/rank-values.ts): on the
// 5,000,000-post bench (tests/bench/rank.ts) they sat on 11,380 of rank_daily's 12,905 pages, and
// on 2,583 in key order, which this version of the function asks for.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of functionStatements('rank_rebuild', '0019')) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of functionStatements('rank_rebuild', '0014')) await sql.raw(statement).execute(db);
}
