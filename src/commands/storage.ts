import { rm } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import { type Db, migrateToLatest, openDatabase } from '../db/database.ts';

/** The database of the configuration, migrated to the latest schema. */
export async function openMigratedDatabase(
  config: Config,
  options: { freshDemo?: boolean } = {},
): Promise<Db> {
  if (options.freshDemo) return openFreshDemoDatabase(config);
  const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrateToLatest(db);
  return db;
}

/**
 * Each demo run replays the summit from its start, so it starts from an empty database: its own
 * PGlite folder, or a `demo` schema when DATABASE_URL points at a server. Real data is never touched.
 */
async function openFreshDemoDatabase(config: Config): Promise<Db> {
  if (!config.DATABASE_URL) {
    const dataDir = `${config.DATA_DIR}/demo`;
    await rm(`${dataDir}/pglite`, { recursive: true, force: true });
    const db = await openDatabase({ dataDir });
    await migrateToLatest(db);
    return db;
  }
  const admin = await openDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  await sql`drop schema if exists demo cascade`.execute(admin);
  await admin.destroy();
  const db = await openDatabase({ url: config.DATABASE_URL, schema: 'demo' });
  await migrateToLatest(db, 'demo');
  return db;
}
