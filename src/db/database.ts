import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { migrations } from '../../migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL URL; unset: embedded PGlite in `dataDir`. */
  url?: string | undefined;
  dataDir?: string;
  /** Postgres schema to work in (tests isolate each file in its own). Created if missing. */
  schema?: string;
  poolSize?: number;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** Opens the database and checks that it answers; the caller owns `db.destroy()`. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  const db = new Kysely<Database>({
    dialect: options.url ? postgresDialect(options) : await pgliteDialect(options),
  });
  try {
    if (options.schema) await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new DatabaseUnavailableError(`cannot reach the database (${describe(options)}): ${reason(error)}`);
  }
  return db;
}

function postgresDialect(options: DatabaseOptions): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    // search_path per connection: every query of this process lands in the chosen schema.
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client losing its server must not crash the process: the pool reports idle ones here, and a
  // client checked out by a query emits 'error' on itself (node-postgres leaves that one unlistened).
  // The query in flight rejects with the error, and the pool drops the broken client on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new PostgresDialect({ pool });
}

// Loaded only when asked for: the embedded PostgreSQL weighs some 50 MB in a process that imports
// it, and workers of a real deployment talk to a server.
async function pgliteDialect(options: DatabaseOptions): Promise<PGliteDialect> {
  const [{ PGlite, types }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  const dataDir = options.dataDir ?? './data';
  mkdirSync(dataDir, { recursive: true });
  // int8 as text, like node-postgres: X ids do not fit a JS number.
  const pglite = new PGlite(`${dataDir}/pglite`, { parsers: { [types.INT8]: (value: string) => value } });
  return new PGliteDialect(pglite);
}

/**
 * Brings the schema to the latest migration; throws with the failing migration's name. `schema`
 * must be the one the database was opened with: kysely looks for its lock table in any schema
 * unless told which.
 */
export async function migrateToLatest(db: Db, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${reason(error)}`.replace('  ', ' '));
  }
  return (results ?? []).map((result) => result.migrationName);
}

/** Migrations this code has and the database has not run yet (`tracker migrate` runs them). */
export async function pendingMigrations(db: Db, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  try {
    return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
  } catch (error) {
    // A database never migrated has no migration table yet (undefined_table): every one is pending.
    if ((error as { code?: unknown }).code === '42P01') return Object.keys(migrations);
    throw error;
  }
}

function describe(options: DatabaseOptions): string {
  if (!options.url) return `embedded PGlite in ${options.dataDir ?? './data'}`;
  try {
    const url = new URL(options.url);
    return `${url.protocol}//${url.host}${url.pathname}`; // never the password
  } catch {
    return 'DATABASE_URL';
  }
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
