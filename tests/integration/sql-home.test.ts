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
 * each migration down restores the versions kept in sql/history/, and up again today's.
 */

const sqlDir = new URL('../../sql/', import.meta.url);
const migrationNames = Object.keys(migrations);
const versionOf = (text: string) => /^-- version: (\d{4})/m.exec(text)?.[1];
const names = readdirSync(sqlDir)
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.replace(/\.sql$/, ''))
  .sort();
const history = readdirSync(new URL('history/', sqlDir));
/** Every version kept of each function: today's file and its history. */
const kept = new Map(
  names.map((name) => {
    const today = versionOf(readFileSync(new URL(`${name}.sql`, sqlDir), 'utf8'));
    if (!today) throw new Error(`sql/${name}.sql names no version`);
    const older = history
      .filter((file) => file.startsWith(`${name}.`))
      .map((file) => file.split('.')[1] as string);
    return [name, [...older, today].sort()];
  }),
);

/** The version of each function a database migrated to `migration` runs: the newest kept up to it. */
function versionsAt(migration: string): Map<string, string> {
  const upTo = migration.slice(0, 4);
  const at = new Map<string, string>();
  for (const [name, versions] of kept) {
    const version = versions.filter((v) => v <= upTo).at(-1);
    if (version) at.set(name, version);
  }
  return at;
}

/** What a file says: its function's definition and its triggers', as PostgreSQL prints them. */
function fileDefinitions(name: string, version: string) {
  const statements = functionStatements(name, version).map((s) => s.replace(/^(--.*\n)+\n?/, ''));
  return {
    function: statements.find((s) => s.startsWith('CREATE OR REPLACE FUNCTION'))?.trimEnd(),
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

/** The schema's functions, each with its definition and its triggers', as PostgreSQL prints them. */
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
  const byName = new Map(
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
  // A trigger that runs a function from outside the schema would have no file: none may.
  expect(triggers.rows.filter((tr) => !byName.has(tr.fn)).map((tr) => tr.definition)).toEqual([]);
  return byName;
}

/** The database runs, function by function, exactly the files of sql/ a migration to `migration` applies. */
async function expectFilesOf(migration: string) {
  const database = await definitions(t.db, t.schema);
  const expected = versionsAt(migration);
  expect([...database.keys()].sort(), migration).toEqual([...expected.keys()].sort());
  for (const [name, version] of expected) {
    const file = fileDefinitions(name, version);
    expect(database.get(name), `${name} at ${migration}`).toEqual(file);
  }
  return database;
}

const migrator = () =>
  new Migrator({
    db: t.db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: t.schema,
  });

describe('sql/', () => {
  test('a database migrated from zero runs exactly the functions and triggers of sql/', async () => {
    const latest = migrationNames.at(-1) as string;
    expect([...versionsAt(latest).keys()]).toEqual(names);
    await expectFilesOf(latest);
  });

  test('every version kept is the version a migration introduced', () => {
    for (const [name, versions] of kept) {
      for (const version of versions) {
        expect(
          migrationNames.map((m) => m.slice(0, 4)),
          `${name}.${version}`,
        ).toContain(version);
        expect(() => functionStatements(name, version), `${name}.${version}`).not.toThrow();
      }
    }
  });

  test('each migration down restores the versions it replaced, and up again today’s', async () => {
    const before = await definitions(t.db, t.schema);
    // Down one migration at a time to 0002, which creates the first functions.
    for (const migration of migrationNames.slice(1, -1).reverse()) {
      const down = await migrator().migrateDown();
      expect(down.error, migration).toBeUndefined();
      await expectFilesOf(migration);
    }
    const up = await migrator().migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(await definitions(t.db, t.schema)).toEqual(before);
  });
});
