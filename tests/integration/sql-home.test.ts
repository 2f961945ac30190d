import { readdirSync, readFileSync } from 'node:fs';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { functionStatements } from '../../migrations/sql-files.ts';
import type { Db } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * The database runs exactly the functions and triggers of sql/ (sql/README.md): a database
 * migrated from zero holds one function per file, with the file's text, and the file's triggers;
 * migrating down restores the versions kept in sql/history/, and up again today's.
 */

const sqlDir = new URL('../../sql/', import.meta.url);
const versions = Object.fromEntries(Object.keys(migrations).map((m) => [m.slice(0, 4), m]));
const names = readdirSync(sqlDir)
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''))
  .sort();
/** The version of sql/<name>.sql: today's text of the function. */
function currentVersion(name: string): string {
  const version = /^-- version: (\d{4})/m.exec(readFileSync(new URL(`${name}.sql`, sqlDir), 'utf8'))?.[1];
  if (!version) throw new Error(`sql/${name}.sql names no version`);
  return version;
}

/** What a file says: its function's definition and its triggers', as PostgreSQL prints them. */
function fileDefinitions(name: string, version: string) {
  const statements = functionStatements(name, version).map((s) => s.replace(/^(--.*\n)+\n?/, ''));
  return {
    function: statements.find((s) => s.startsWith('CREATE OR REPLACE FUNCTION')),
    triggers: statements.filter((s) => /^CREATE (CONSTRAINT )?TRIGGER/.test(s)).sort(),
  };
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function definitions(db: Db, schema: string) {
  const strip = (text: string) => text.replaceAll(`${schema}.`, '');
  const functions = await sql<{ name: string; definition: string }>`
    select p.proname as name, pg_get_functiondef(p.oid) as definition
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = ${schema} order by 1`.execute(db);
  const triggers = await sql<{ fn: string; definition: string }>`
    select p.proname as fn, pg_get_triggerdef(t.oid) as definition
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_proc p on p.oid = t.tgfoid
    where n.nspname = ${schema} and not t.tgisinternal`.execute(db);
  return new Map(
    functions.rows.map((f) => [
      f.name,
      {
        function: strip(f.definition).trimEnd(),
        triggers: triggers.rows
          .filter((tr) => tr.fn === f.name)
          .map((tr) => strip(tr.definition))
          .sort(),
      },
    ]),
  );
}

const migrator = () =>
  new Migrator({
    db: t.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: t.schema,
  });

describe('sql/', () => {
  test('a database migrated from zero runs exactly the functions and triggers of sql/', async () => {
    const database = await definitions(t.db, t.schema);
    expect([...database.keys()].sort()).toEqual(names);
    for (const name of names) {
      const file = fileDefinitions(name, currentVersion(name));
      expect(database.get(name)?.function, name).toBe(file.function?.trimEnd());
      expect(database.get(name)?.triggers, name).toEqual(file.triggers);
    }
  });

  test('every file names its version, and a superseded version is kept in sql/history/', () => {
    for (const name of names) expect(currentVersion(name) in versions, name).toBe(true);
    const history = readdirSync(new URL('history/', sqlDir));
    for (const file of history) {
      const [name, version] = file.split('.');
      expect(names, file).toContain(name);
      expect(() => functionStatements(name as string, version as string), file).not.toThrow();
    }
  });

  test('down past 0005 restores the versions of sql/history/, up again today’s', async () => {
    const down = await migrator().migrateTo('0004_alerts');
    expect(down.error).toBeUndefined();
    const old = await definitions(t.db, t.schema);
    expect([...old.keys()].sort()).toEqual([
      'rank_apply',
      'rank_campaign_changed',
      'rank_campaign_deleted',
      'rank_links_changed',
      'rank_posts_changed',
      'rank_rebuild',
      'rank_sync',
    ]);
    for (const name of old.keys()) {
      const file = fileDefinitions(name, '0002');
      expect(old.get(name)?.function, name).toBe(file.function?.trimEnd());
      expect(old.get(name)?.triggers, name).toEqual(file.triggers);
    }
    const up = await migrator().migrateToLatest();
    expect(up.error).toBeUndefined();
    const again = await definitions(t.db, t.schema);
    for (const name of names) {
      expect(again.get(name)?.function, name).toBe(
        fileDefinitions(name, currentVersion(name)).function?.trimEnd(),
      );
    }
  });
});
