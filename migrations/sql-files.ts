import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The database functions and triggers live in sql/, one file each, as they are today; superseded
 * versions in sql/history/ (sql/README.md). A migration names the version it applies — the
 * migration that introduced that text — so the file it loads never changes under it.
 */
export function functionStatements(name: string, version: string): string[] {
  const current = join(sqlDir, `${name}.sql`);
  const text = readFileSync(current, 'utf8');
  const chosen =
    versionOf(text) === version
      ? text
      : readFileSync(join(sqlDir, 'history', `${name}.${version}.sql`), 'utf8');
  if (versionOf(chosen) !== version) throw new Error(`sql/: no version ${version} of ${name}`);
  return statementsOf(chosen);
}

// sql/ sits at the package root: found by walking up, so a compiled copy of this file finds it too.
const sqlDir = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sql/: no package.json above migrations/');
    dir = parent;
  }
  return join(dir, 'sql');
})();

const versionOf = (text: string) => /^-- version: (\d{4})\b/m.exec(text)?.[1];

/**
 * Splits a file into statements (each is sent alone: the extended protocol refuses several at
 * once) at semicolons that end a line outside a dollar-quoted body.
 */
function statementsOf(text: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const line of text.split('\n')) {
    current += `${line}\n`;
    for (const tag of line.match(/\$[A-Za-z_]*\$/g) ?? []) {
      if (quote === null) quote = tag;
      else if (quote === tag) quote = null;
    }
    if (quote === null && line.trimEnd().endsWith(';')) {
      statements.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  if (
    current
      .trim()
      .replace(/^--.*$/gm, '')
      .trim()
  )
    throw new Error('sql/: a statement does not end with ;');
  return statements;
}
