import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Campaign } from '../../src/db/schema.ts';
import { postsPageSize } from '../../src/export/datasets.ts';
import { type ExportRequest, exportChunks } from '../../src/export/render-export.ts';
import { createCampaign } from '../support/rank-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * The posts export reads page by page, as its output is taken: across page boundaries every post
 * comes once, in id order, and a reader that has taken the first chunks has made the export read
 * only the first page (so a 5-million-post export holds one page, not the campaign).
 */

const count = 2 * postsPageSize + 345;
let t: TestDatabase;
let campaign: Campaign;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ campaign } = await createCampaign(
    t.db,
    {
      slug: 'big',
      timezone: 'Europe/Paris',
      start: '2016-12-07T00:00:00+01:00',
      end: '2016-12-10T00:00:00+01:00',
      home: 'home',
      watchlist: [],
    },
    ['#big'],
  ));
  const queryId = (await t.db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow()).id;
  await sql`insert into accounts (id, username, name, first_seen_at, last_seen_at)
    select 1000 + a, 'author' || a, 'Author ' || a, now(), now() from generate_series(1, 50) a`.execute(t.db);
  // 19-digit ids, out of insertion order, so the keyset must sort them.
  await sql`insert into posts (id, author_id, created_at, text, lang, kind, hashtags, mentions, like_count,
      repost_count, reply_count, quote_count, impression_count, metrics_observed_at, first_seen_at)
    select 806000000000000000 + ((n * 7919) % ${count}) * 1000, 1000 + 1 + n % 50,
      timestamptz '2016-12-07T00:00:00+01:00' + (n % 4000) * interval '1 minute',
      'post ' || n || E'\nline two', 'en', 'post', '{big}', '{}', n % 7, 0, 0, 0, null, now(), now()
    from generate_series(0, ${count - 1}) n`.execute(t.db);
  await sql`insert into campaign_posts (campaign_id, query_id, post_id, matched_at)
    select ${campaign.id}, ${queryId}, id, now() from posts`.execute(t.db);
}, 120_000);

afterAll(async () => t?.drop());

const request = (onProgress: (written: number) => void): ExportRequest => ({
  what: 'posts',
  format: 'csv',
  network: 'all',
  from: campaign.window_start,
  to: campaign.window_end,
  interval: 'day',
  metric: 'posts',
  scope: 'all',
  limit: 100_000,
  lang: 'en',
  asOf: campaign.window_end,
  onProgress,
});

describe('the posts export streams', () => {
  test('every post once, in id order, across the pages', async () => {
    const progress: number[] = [];
    let text = '';
    for await (const chunk of exportChunks(
      t.db,
      campaign,
      request((n) => progress.push(n)),
    ))
      text += chunk;
    const rows = parse(text, { bom: true, columns: true }) as Array<Record<string, string>>;
    const ids = rows.map((row) => BigInt(row['post id']?.trim() ?? '0'));
    expect(ids).toHaveLength(count);
    expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0n))).toBe(true);
    expect(rows[0]?.text).toMatch(/^post \d+\nline two$/);
    expect(progress).toEqual([postsPageSize, 2 * postsPageSize, count]);
  });

  test('a reader that has taken the first chunks has made it read one page only', async () => {
    const progress: number[] = [];
    const chunks = exportChunks(
      t.db,
      campaign,
      request((n) => progress.push(n)),
    );
    let taken = 0;
    let bytes = 0;
    for await (const chunk of chunks) {
      taken++;
      bytes += chunk.length;
      if (taken === 3) break;
    }
    expect(bytes).toBeGreaterThan(64 * 1024);
    expect(progress).toEqual([postsPageSize]);
  });
});
