import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inSnapshot } from '../../src/db/consistent-read.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { rankRows } from '../../src/rank/ranking.ts';
import { rebuildRollups } from '../../src/rank/rollups.ts';
import {
  createCampaign,
  type FixtureAccount,
  type FixturePost,
  rollupState,
  seeded,
  storePosts,
} from '../support/rank-fixtures.ts';
import { referenceLeaderboard } from '../support/rank-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * Reads during ingest. Four writers store overlapping pages at once, through the collector's write
 * path: two queries matching the same posts, the same posts replayed, later metric readings of
 * posts already stored, deletions. Meanwhile a reader keeps reading the leaderboard. Every board it
 * reads must be the exact board of the posts its snapshot holds — no post counted twice, no rank
 * that the final data contradicts for the posts already stored — and at the end the rollups must
 * equal a rebuild from scratch.
 */

const accounts: FixtureAccount[] = Array.from({ length: 40 }, (_, i) => ({
  id: String(500 + i),
  username: i === 0 ? 'OpenData_Forum' : `account_${String(i).padStart(2, '0')}`,
}));
const window = { start: '2016-12-07T00:00:00+01:00', end: '2016-12-10T00:00:00+01:00' };

function generate(): FixturePost[] {
  const random = seeded(42);
  return Array.from({ length: 1200 }, (_, i) => {
    const author = accounts[Math.floor(random() ** 2 * accounts.length)] as FixtureAccount;
    return {
      id: String(7_000_000 + i),
      authorId: author.id,
      createdAt: new Date(Date.parse('2016-12-06T23:00:00Z') + Math.floor(random() * 3 * 86_400_000)),
      kind: random() < 0.15 ? 'repost' : 'post',
      mentions:
        random() < 0.3 ? [(accounts[Math.floor(random() * 5)] as FixtureAccount).username.toLowerCase()] : [],
      likes: Math.floor(random() * 5),
      reposts: 0,
      replies: 0,
      quotes: 0,
      impressions: null,
      queries: random() < 0.5 ? [0, 1] : [Math.floor(random() * 2)],
    };
  });
}

let t: TestDatabase;
let db: Db;
let campaign: Campaign;
let queryIds: number[];
const posts = generate();

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  ({ campaign, queryIds } = await createCampaign(
    db,
    { slug: 'live', timezone: 'Europe/Paris', ...window, home: 'OpenData_Forum', watchlist: ['account_01'] },
    ['#a', '#b'],
  ));
}, 300_000);

afterAll(async () => t?.drop());

/** Shuffled copies: the writers meet on the same posts in different orders and pages. */
function shuffled<T>(items: T[], seed: number): T[] {
  const random = seeded(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

interface Reading {
  board: Array<{ accountId: string; rank: number; value: number }>;
  total: number;
  /** the posts (not reposts) the reading's snapshot holds */
  stored: string[];
}

describe('reading the leaderboard while workers write', { timeout: 180_000 }, () => {
  test('every reading is exact for the posts it saw, and the final rollups equal a rebuild', async () => {
    const target = { campaignId: campaign.id, queryIds, accounts };
    const deleted = new Set(posts.filter((_, i) => i % 23 === 0).map((post) => post.id));
    const readings: Reading[] = [];
    let writing = true;
    const writers = Promise.all([
      // Both queries, the same posts, pages of different sizes and orders, at the same time.
      storePosts(db, target, posts, new Date('2016-12-10T01:00:00Z'), 50),
      storePosts(db, target, shuffled(posts, 1), new Date('2016-12-10T01:00:00Z'), 70),
      // Later readings of the same posts: engagement moves, posts are not counted again.
      storePosts(
        db,
        target,
        shuffled(posts, 2).map((post) => ({ ...post, likes: post.likes + 3 })),
        new Date('2016-12-10T02:00:00Z'),
        60,
      ),
      // X reports some posts deleted once a part of the campaign is in and read (a later reading restores
      // some of them).
      (async () => {
        const ledgerSize = async () =>
          Number(
            (
              await db
                .selectFrom('rank_posts')
                .select((eb) => eb.fn.countAll<string>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        while ((await ledgerSize()) < 400 || readings.filter((r) => r.stored.length > 0).length < 2) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const id of deleted) {
          await db.updateTable('posts').set({ deleted: true }).where('id', '=', id).execute();
        }
      })(),
    ]).finally(() => {
      writing = false;
    });

    let exact = 0;
    while (writing || readings.length < 3) {
      const reading = await inSnapshot(db, async (trx) => {
        const board = await leaderboard(trx, campaign, { metric: 'posts', scope: 'all', limit: 500 });
        const reference = await referenceLeaderboard(trx, campaign, {
          metric: 'posts',
          scope: 'all',
          from: campaign.window_start,
          to: campaign.window_end,
        });
        // The same snapshot, the rollups and the straightforward count: they must agree exactly.
        expect(board.rows.map(({ accountId, rank, value }) => ({ accountId, rank, value }))).toEqual(
          reference.map(({ accountId, rank, value }) => ({ accountId, rank, value })),
        );
        for (const metric of ['engagement', 'mentions'] as const) {
          const rows = await leaderboard(trx, campaign, { metric, scope: 'all', limit: 500 });
          const expected = await referenceLeaderboard(trx, campaign, {
            metric,
            scope: 'all',
            from: campaign.window_start,
            to: campaign.window_end,
          });
          expect(rows.rows.map((row) => [row.accountId, row.rank, row.value])).toEqual(
            expected.map((row) => [row.accountId, row.rank, row.value]),
          );
        }
        exact++;
        const stored = await trx
          .selectFrom('rank_posts')
          .select('post_id')
          .where('campaign_id', '=', campaign.id)
          .where('repost', '=', false)
          .execute();
        return {
          board: board.rows.map(({ accountId, rank, value }) => ({ accountId, rank, value })),
          total: board.total,
          stored: stored.map((row) => row.post_id),
        };
      });
      readings.push(reading);
    }
    await writers;
    expect(exact).toBe(readings.length);
    // The reader saw the board grow: some readings came mid-ingest.
    expect(new Set(readings.map((reading) => reading.stored.length)).size).toBeGreaterThan(2);

    // The final data, judged on the posts each reading had: the same values and ranks.
    const final = new Map(
      (
        await db.selectFrom('posts').select(['id', 'author_id', 'deleted', 'kind', 'created_at']).execute()
      ).map((row) => [row.id, row]),
    );
    const names = new Map(accounts.map((account) => [account.id, account.username]));
    let judged = 0;
    for (const reading of readings) {
      const counts = new Map<string, number>();
      for (const id of reading.stored) {
        const post = final.get(id);
        if (!post || post.deleted) continue; // deleted since: the final data no longer counts it
        counts.set(post.author_id, (counts.get(post.author_id) ?? 0) + 1);
      }
      const stillCounted = reading.stored.every((id) => !final.get(id)?.deleted);
      if (!stillCounted) continue;
      const expected = rankRows(
        [...counts].map(([accountId, value]) => ({
          accountId,
          username: names.get(accountId) ?? accountId,
          value,
        })),
      );
      expect(reading.board).toEqual(
        expected.map(({ accountId, rank, value }) => ({ accountId, rank, value })),
      );
      expect(reading.total).toBe(expected.length);
      if (reading.stored.length > 0) judged++;
    }
    // At least the readings taken mid-ingest before the deletions began.
    expect(judged).toBeGreaterThanOrEqual(2);

    // Nothing left staged, nothing doubled: the rollups equal a rebuild from the final data.
    const ledger = await db
      .selectFrom('rank_posts')
      .select('post_id')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(ledger).toHaveLength([...final.values()].filter((post) => !post.deleted).length);
    const { rows: staged } = await sql<{ n: number }>`select count(*)::int as n from rank_pending`.execute(
      db,
    );
    expect(staged[0]?.n).toBe(0);
    const kept = await rollupState(db, campaign.id);
    await rebuildRollups(db, campaign.id);
    expect(await rollupState(db, campaign.id)).toEqual(kept);
  });
});
