import { afterAll, beforeAll, expect } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { createCampaign } from '../support/rank-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/**
 * The ranking API on a small campaign whose every number is worked out by hand, over the night
 * Europe/Paris leaves summer time (2016-10-30: 02:00–03:00 happens twice, at 00:00Z and 01:00Z).
 * Window: 2016-10-29 00:00 +02:00 → 2016-11-01 00:00 +01:00 (2016-10-28T22:00Z → 2016-10-31T23:00Z).
 */

const clock = new ManualClock('2016-11-02T12:00:00Z');
let t: TestDatabase;
let db: Db;
let app: ReturnType<typeof createDashboard>;

// posts: alice 4, Bob 3, OpenData_Forum 3 (a tie with Bob), carol 1 (and one before the window).
// engagement: Bob 10, OpenData_Forum 8 (5 + 1 + 2). Mentions of OpenData_Forum: by Bob and carol.
const accounts = [
  { id: '1', username: 'OpenData_Forum' },
  { id: '2', username: 'alice' },
  { id: '3', username: 'Bob' },
  { id: '4', username: 'carol' },
];
const posts = [
  { id: '10', author: '1', at: '2016-10-29T08:00:00Z', likes: 5, queries: [0, 1] },
  { id: '11', author: '1', at: '2016-10-30T00:30:00Z', likes: 1, queries: [0] },
  { id: '12', author: '1', at: '2016-10-30T01:30:00Z', likes: 2, queries: [0] },
  { id: '20', author: '2', at: '2016-10-29T09:00:00Z', queries: [0] },
  { id: '21', author: '2', at: '2016-10-29T10:00:00Z', queries: [0] },
  { id: '22', author: '2', at: '2016-10-30T12:00:00Z', queries: [0] },
  { id: '23', author: '2', at: '2016-10-31T20:00:00Z', queries: [0] },
  { id: '24', author: '2', at: '2016-10-31T20:30:00Z', kind: 'repost' as const, queries: [0] },
  {
    id: '30',
    author: '3',
    at: '2016-10-29T09:30:00Z',
    likes: 10,
    mentions: ['opendata_forum'],
    queries: [1],
  },
  { id: '31', author: '3', at: '2016-10-30T10:00:00Z', queries: [1] },
  { id: '32', author: '3', at: '2016-10-31T10:00:00Z', queries: [0, 1] },
  { id: '40', author: '4', at: '2016-10-28T10:00:00Z', queries: [0] },
  { id: '41', author: '4', at: '2016-10-31T22:30:00Z', mentions: ['opendata_forum', 'alice'], queries: [0] },
];

/** A snowflake id created at `iso` (X ids carry their creation time). */
const idAt = (iso: string) => String((BigInt(Date.parse(iso)) - 1288834974657n) << 22n);

/** Registers the campaign for the calling test file: built before its tests, dropped after. */
export function useAutumnCampaign(): void {
  beforeAll(async () => {
    t = await createTestDatabase();
    db = t.db;
    const seenAt = new Date('2016-10-28T00:00:00Z');
    await db
      .insertInto('accounts')
      .values(
        accounts.map((a) => ({
          id: a.id,
          username: a.username,
          name: `${a.username} name`,
          description: null,
          profile_image_url: null,
          verified: null,
          created_at: null,
          first_seen_at: seenAt,
          last_seen_at: seenAt,
        })),
      )
      .execute();
    const { campaign, queryIds } = await createCampaign(
      db,
      {
        slug: 'autumn',
        timezone: 'Europe/Paris',
        start: '2016-10-29T00:00:00+02:00',
        end: '2016-11-01T00:00:00+01:00',
        home: 'OpenData_Forum',
        watchlist: ['alice'],
      },
      ['#a', '#b'],
    );
    await db
      .insertInto('posts')
      .values(
        posts.map((p) => ({
          id: p.id,
          author_id: p.author,
          created_at: p.at,
          text: `post ${p.id}`,
          lang: 'en',
          kind: p.kind ?? 'post',
          hashtags: [],
          mentions: p.mentions ?? [],
          like_count: p.likes ?? 0,
          repost_count: 0,
          reply_count: 0,
          quote_count: 0,
          impression_count: 100,
          metrics_observed_at: '2016-11-02T00:00:00Z',
          first_seen_at: '2016-11-02T00:00:00Z',
        })),
      )
      .execute();
    await db
      .insertInto('campaign_posts')
      .values(
        posts.flatMap((p) =>
          p.queries.map((q) => ({
            campaign_id: campaign.id,
            query_id: queryIds[q] ?? 0,
            post_id: p.id,
            matched_at: '2016-11-02T00:00:00Z',
          })),
        ),
      )
      .execute();
    const snapshot = (observedAt: string, followers: number) => ({
      account_id: '1',
      observed_at: observedAt,
      followers_count: followers,
      following_count: 10,
      post_count: 50,
      listed_count: 1,
    });
    await db
      .insertInto('account_snapshots')
      .values([
        snapshot('2016-10-28T21:00:00Z', 100),
        snapshot('2016-10-30T00:45:00Z', 150),
        snapshot('2016-10-30T01:45:00Z', 160),
        snapshot('2016-10-31T21:00:00Z', 194),
      ])
      .execute();
    // The first query: polled from 08:05 on the first day, its first poll reaching back to 07:00.
    await db
      .updateTable('campaign_queries')
      .set({ backfill_until_id: idAt('2016-10-29T07:00:00Z') })
      .where('id', '=', queryIds[0] ?? 0)
      .execute();
    const run = (
      query: string,
      kind: string,
      startedAt: string,
      outcome: 'ok' | 'failed' | 'rate_limited' | 'budget',
    ) => ({
      campaign_id: campaign.id,
      kind,
      target: query,
      started_at: startedAt,
      finished_at: new Date(Date.parse(startedAt) + 60_000),
      // A run the budget stops sends nothing.
      requests: outcome === 'budget' ? 0 : 2,
      outcome,
    });
    await db
      .insertInto('collection_runs')
      .values([
        run('#a', 'poll', '2016-10-29T08:05:00Z', 'ok'),
        run('#a', 'poll', '2016-10-29T08:10:00Z', 'rate_limited'),
        run('#a', 'backfill', '2016-10-29T08:30:00Z', 'ok'),
        run('#a', 'poll', '2016-10-29T08:40:00Z', 'budget'),
        // Stopped by the budget before anything was read: #b's polling has not started yet.
        run('#b', 'poll', '2016-10-29T09:00:00Z', 'budget'),
        run('#b', 'poll', '2016-10-30T00:10:00Z', 'ok'),
        run('#a', 'poll', '2016-10-30T01:20:00Z', 'failed'),
        run('#a', 'poll', '2016-10-31T22:58:00Z', 'ok'),
        // A dry-run estimate reads only counts: it is no collection.
        run('#a', 'estimate', '2016-10-31T23:30:00Z', 'ok'),
      ])
      .execute();
    app = createDashboard({ db, clock, demo: false });
  });

  afterAll(async () => t?.drop());
}

export const autumnDb = (): Db => db;
export const autumnApp = (): ReturnType<typeof createDashboard> => app;

export async function get<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await app.request(`/api/v1/campaigns/autumn/${path}`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as T };
}
