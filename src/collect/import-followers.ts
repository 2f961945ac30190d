import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { emptyCounts, finishRun, startRun } from '../db/collection-runs.ts';
import type { ImportContext } from './import-twarc.ts';

export interface FollowersImportResult {
  rows: number;
  readings: number;
  /** readings already stored (the same account at the same instant): importing twice adds nothing */
  unchanged: number;
  badRows: Array<{ line: number; reason: string }>;
}

const header = ['time', 'network', 'handle', 'followers'];
/** An instant with its offset, as in the campaign file: a bare date would leave its time zone to guess. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const USERNAME = /^@?([A-Za-z0-9_]{1,15})$/;

/**
 * `tracker import followers`: follower counts a comms team kept by hand or exported from X's
 * analytics (`time,network,handle,followers`, one reading a row) become follower readings whose
 * source is `import:<file>`, beside the collected ones. Bad rows are listed by line and left out;
 * the good ones are kept. An account must be known to the tracker (resolved by a collection) for
 * its X id; a reading at an instant already stored is left as it is.
 */
export async function importFollowers(
  ctx: ImportContext,
  target: { campaignId: number; file: string },
): Promise<FollowersImportResult> {
  const name = basename(target.file);
  const runId = await startRun(ctx.db, {
    campaignId: target.campaignId,
    kind: 'import',
    target: `followers ${name}`,
    startedAt: ctx.clock.now(),
  });
  const result: FollowersImportResult = { rows: 0, readings: 0, unchanged: 0, badRows: [] };
  const good: Array<{ line: number; at: Date; username: string; followers: number }> = [];
  const lines = createInterface({
    input: createReadStream(target.file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    const cells = text.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
    if (lineNumber === 1) {
      if (cells.map((cell) => cell.toLowerCase()).join(',') !== header.join(',')) {
        result.badRows.push({ line: 1, reason: `the header must be ${header.join(',')}` });
        break;
      }
      continue;
    }
    result.rows++;
    const reason = rowProblem(cells);
    if (reason) {
      result.badRows.push({ line: lineNumber, reason });
      continue;
    }
    const [time, , handle, followers] = cells as [string, string, string, string];
    good.push({
      line: lineNumber,
      at: new Date(time),
      username: (USERNAME.exec(handle)?.[1] ?? handle).toLowerCase(),
      followers: Number(followers),
    });
  }
  const usernames = [...new Set(good.map((row) => row.username))];
  const accounts =
    usernames.length === 0
      ? []
      : await ctx.db
          .selectFrom('accounts')
          .select(['id', sql<string>`lower(username)`.as('username')])
          .where(sql<string>`lower(username)`, 'in', usernames)
          .execute();
  const idOf = new Map(accounts.map((account) => [account.username, account.id]));
  const rows = good.flatMap((row) => {
    const id = idOf.get(row.username);
    if (id) return [{ ...row, id }];
    result.badRows.push({
      line: row.line,
      reason: `@${row.username} is not known to the tracker yet: collect the campaign once (tracker collect) so it resolves the account`,
    });
    return [];
  });
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const inserted = await ctx.db
      .insertInto('account_snapshots')
      .values(
        chunk.map((row) => ({
          account_id: row.id,
          observed_at: row.at,
          followers_count: row.followers,
          following_count: null,
          post_count: null,
          listed_count: null,
          source: `import:${name}`,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    result.readings += Number(inserted.numInsertedOrUpdatedRows ?? 0);
  }
  result.unchanged = rows.length - result.readings;
  result.badRows.sort((a, b) => a.line - b.line);
  await finishRun(ctx.db, runId, {
    ...emptyCounts(),
    entriesSkipped: result.badRows.length,
    finishedAt: ctx.clock.now(),
    outcome: 'ok',
    error:
      result.badRows.length > 0
        ? `${result.badRows.length} bad row(s) left out: ${result.badRows
            .slice(0, 5)
            .map((bad) => `line ${bad.line} (${bad.reason})`)
            .join('; ')}`
        : null,
  });
  await ctx.db
    .updateTable('collection_runs')
    .set({ target: `followers ${name}: ${result.readings} new reading(s) of ${result.rows} row(s)` })
    .where('id', '=', runId)
    .execute();
  return result;
}

function rowProblem(cells: string[]): string | null {
  if (cells.length !== header.length) return `expected 4 values (${header.join(',')}), got ${cells.length}`;
  const [time, network, handle, followers] = cells as [string, string, string, string];
  if (!INSTANT.test(time) || Number.isNaN(Date.parse(time))) {
    return `time "${time}" is not an instant with its offset, e.g. 2016-12-07T18:00:00+01:00`;
  }
  if (network.toLowerCase() !== 'x') return `network "${network}": only x can be imported for now`;
  if (!USERNAME.test(handle)) return `handle "${handle}" is not an X username`;
  if (!/^\d{1,10}$/.test(followers) || Number(followers) > 2_147_483_647) {
    return `followers "${followers}" is not a whole number`;
  }
  return null;
}
