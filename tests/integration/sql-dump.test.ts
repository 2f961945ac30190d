import { expect, test } from 'vitest';
import { committedDump, type Dumps, renderDumps } from '../support/sql-dump.ts';

/**
 * src/db/queries/*.sql says what the repositories send: regenerated in memory here, each file must
 * equal the committed one (`npm run sql:dump` rewrites them), and every exported function of a
 * dumped repository must have a case.
 */
let dumps: Dumps | undefined;
const rendered = async () => {
  dumps ??= await renderDumps();
  return dumps;
};

/** The first line where the committed file and the SQL sent part, to say where it is stale. */
function firstDifference(committed: string, sent: string): string {
  const a = committed.split('\n');
  const b = sent.split('\n');
  const at = b.findIndex((line, index) => a[index] !== line);
  const line = at < 0 ? b.length : at;
  return `line ${line + 1}: committed ${JSON.stringify(a[line] ?? '(end)')}, sent ${JSON.stringify(b[line] ?? '(end)')}`;
}

test('every exported function of a dumped repository has a case', async () => {
  const { missing } = await rendered();
  expect(Object.fromEntries(missing)).toEqual({});
}, 60_000);

test('the committed SQL dumps are up to date (npm run sql:dump)', async () => {
  const { files } = await rendered();
  expect(files.size).toBeGreaterThan(0);
  for (const [repository, text] of files) {
    expect(text.length, `${repository}: empty dump`).toBeGreaterThan(200);
    const committed = committedDump(repository);
    if (committed === text) continue;
    expect.fail(
      `src/db/queries/${repository}.sql is stale (run npm run sql:dump), ${firstDifference(committed, text)}`,
    );
  }
}, 60_000);
