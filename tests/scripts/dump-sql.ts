import { mkdirSync, writeFileSync } from 'node:fs';
import { dumpFile, queriesDir, renderDumps } from '../support/sql-dump.ts';

/**
 * `npm run sql:dump`: writes src/db/queries/<repository>.sql, the SQL each repository sends
 * (tests/support/sql-dump.ts). Needs the tests' PostgreSQL. Run it after changing a query, and
 * commit the files with the change.
 */
const { files, missing } = await renderDumps();
mkdirSync(queriesDir, { recursive: true });
for (const [repository, text] of files) writeFileSync(dumpFile(repository), text);
console.log(`wrote ${files.size} files to src/db/queries/`);
for (const [repository, names] of missing) {
  console.error(
    `${repository}: no case runs ${names.join(', ')} (add one to tests/support/sql-dump-cases.ts)`,
  );
}
process.exit(missing.size > 0 ? 1 : 0);
