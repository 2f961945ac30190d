import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pino from 'pino';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.ts';

/**
 * Tests run against the real PostgreSQL and Redis of the machine (CI starts them). Each test file
 * works in its own PostgreSQL schema and its own BullMQ prefix, so files can run in parallel.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const testRedisUrl = 'redis://127.0.0.1:6379';

/**
 * The `tracker` command as tests run it: from the TypeScript sources, through tsx, so a test never
 * runs a stale dist/. `bin/tracker.js` runs the build (tests/integration/package.test.ts covers it).
 */
export const trackerFromSources = [
  fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url)),
  fileURLToPath(new URL('../../src/cli.ts', import.meta.url)),
];

export const uniqueName = (kind: string) => `test_${kind}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

export interface TestDatabase {
  db: Db;
  schema: string;
  drop(): Promise<void>;
}

/** A fresh, migrated schema; `drop()` removes it and closes the pool. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const schema = uniqueName('db');
  const db = await openDatabase({ url: testDatabaseUrl, schema, poolSize: 5 });
  try {
    await migrateToLatest(db, schema);
  } catch {
    // Seen once in CI under heavy load: the migrator reported the fresh schema missing. Create it
    // again and retry once; a second failure is real and fails the file.
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    await migrateToLatest(db, schema);
  }
  return {
    db,
    schema,
    async drop() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

export const silentLog = pino({ level: 'silent' });

/** Polls `check` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  {
    timeoutMs = 20_000,
    intervalMs = 100,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const described = typeof what === 'function' ? what() : what;
  throw new Error(`timed out waiting for ${described}${last ? `: ${String(last)}` : ''}`);
}

/** The value, or a test failure naming what was missing (instead of a non-null assertion). */
export function defined<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to be defined`);
  return value;
}
