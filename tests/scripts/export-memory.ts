/**
 * Bounded memory of the posts export, by hand (it loads millions of rows: not for CI):
 *
 *   EXPORT_POSTS=1000000 node bin/run-ts.js tests/scripts/export-memory.ts
 *
 * Loads a campaign of EXPORT_POSTS posts (default 1,000,000) into its own database, in two steps,
 * and runs `tracker export posts` (CSV, then XLSX) after each: the peak resident memory of the
 * command (VmHWM) is printed for a fifth of the posts and for all of them. Bounded memory means the
 * two peaks are close, whatever the size; the ratio is the figure, not the absolute value. The
 * command runs with a 96 MB heap: an export holding its rows would fail on it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../src/db/database.ts';
import { createCampaign } from '../support/rank-fixtures.ts';
import { testDatabaseUrl, trackerFromSources, uniqueName } from '../support/services.ts';

const total = Number(process.env.EXPORT_POSTS ?? 1_000_000);
const database = uniqueName('export_memory');
const databaseUrl = testDatabaseUrl.replace(/\/test$/, `/${database}`);
const heapMb = 96;
const dir = await mkdtemp(join(tmpdir(), 'export-memory-'));

const admin = new pg.Client({ connectionString: testDatabaseUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const db = await openDatabase({ url: databaseUrl, poolSize: 2 });

/** Runs the command and samples its peak resident memory until it exits. */
async function peakOf(args: string[]): Promise<{ peakMb: number; seconds: number }> {
  const started = Date.now();
  // A capped heap: an export that kept its rows would run out of it long before the end.
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, ...trackerFromSources, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peakKb = 0;
  const sample = setInterval(async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // exited between two samples
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sample);
  if (code !== 0) throw new Error(`tracker ${args.join(' ')} exited with ${code}`);
  return { peakMb: Math.round(peakKb / 1024), seconds: Math.round((Date.now() - started) / 100) / 10 };
}

try {
  await migrateToLatest(db);
  const { campaign, queryIds } = await createCampaign(
    db,
    {
      slug: 'big',
      timezone: 'Europe/Paris',
      start: '2016-12-07T00:00:00+01:00',
      end: '2016-12-10T00:00:00+01:00',
      home: 'author1',
      watchlist: [],
    },
    ['#big'],
  );
  await sql`insert into accounts (id, username, name, first_seen_at, last_seen_at)
    select 1000 + a, 'author' || a, 'Author ' || a, now(), now() from generate_series(1, 5000) a`.execute(db);
  const load = async (from: number, to: number) => {
    for (let start = from; start < to; start += 100_000) {
      const end = Math.min(to, start + 100_000);
      await sql`insert into posts (id, author_id, created_at, text, lang, kind, hashtags, mentions, like_count,
          repost_count, reply_count, quote_count, impression_count, metrics_observed_at, first_seen_at)
        select 806000000000000000 + n, 1001 + n % 5000,
          timestamptz '2016-12-07T00:00:00+01:00' + (n % 259000) * interval '1 second',
          'Post ' || n || ' about open government, with a link https://t.co/abcdefghij #big', 'en', 'post',
          '{big}', '{}', n % 17, n % 5, n % 3, 0, n % 1000, now(), now()
        from generate_series(${start}::int, ${end - 1}::int) n`.execute(db);
      await sql`insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
        select ${campaign.id}, ${queryIds[0] ?? 0}, 806000000000000000 + n, now()
        from generate_series(${start}::int, ${end - 1}::int) n`.execute(db);
    }
  };
  const results: Array<Record<string, string | number>> = [];
  let loaded = 0;
  for (const size of [Math.round(total / 5), total]) {
    const started = Date.now();
    await load(loaded, size);
    loaded = size;
    console.log(`${size.toLocaleString('en')} posts loaded (${Math.round((Date.now() - started) / 1000)} s)`);
    for (const format of ['csv', 'xlsx'] as const) {
      const out = join(dir, `posts.${format}`);
      const run = await peakOf(['export', 'posts', '--campaign', 'big', '--format', format, '--out', out]);
      const bytes = (await stat(out)).size;
      const result = {
        posts: size,
        format,
        'peak RSS (MB)': run.peakMb,
        seconds: run.seconds,
        'file (MB)': Math.round(bytes / 1e6),
      };
      console.log(JSON.stringify(result));
      results.push(result);
      await rm(out);
    }
  }
  console.table(results);
  for (const format of ['csv', 'xlsx']) {
    const [few, all] = results.filter((row) => row.format === format);
    console.log(
      `${format}: ${Number(all?.posts) / Number(few?.posts)}× the posts, ${(Number(all?.['peak RSS (MB)']) / Number(few?.['peak RSS (MB)'])).toFixed(2)}× the peak memory`,
    );
  }
} finally {
  await db.destroy();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
