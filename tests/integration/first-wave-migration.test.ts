import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { metrics, scopes } from '../../src/rank/metrics.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { rollupState } from '../support/rank-fixtures.ts';
import { type ReferenceRow, referenceLeaderboard } from '../support/rank-oracle.ts';
import { storeScenarioMatches, xUserOf } from '../support/scenario-records.ts';
import { silentLog, testDatabaseUrl, uniqueName } from '../support/services.ts';

/**
 * Issue 14: a database filled by the first wave migrates to the multi-network schema (0013, 0014)
 * with every X board unchanged. The schema is migrated to 0012 only, the campaign written as the
 * first wave's apply wrote it, and the scenario's posts stored through the X write path. Before the
 * migration, every board (every metric, both scopes, several windows) is read by the plain GROUP BY
 * of tests/support/rank-oracle.ts — today's read code needs the new columns — and the rollups kept;
 * after it, the tracker's own reads must give those boards, and the rollups must be the same rows.
 */

const scenario = generateScenario({ seed: 41, accounts: 90, posts: 1500 });
const observedAt = new Date(scenario.window.end.getTime() + 6 * 3600_000);
const hour = 3600_000;
const start = scenario.window.start.getTime();
const windows = [
  { from: scenario.window.start, to: scenario.window.end },
  { from: new Date(start + 24 * hour), to: new Date(start + 48 * hour) },
  { from: new Date(start + 13.6 * hour), to: new Date(start + 66.1 * hour) },
];

const schema = uniqueName('db');
let db: Db;
let campaign: Campaign;
const before = new Map<string, ReferenceRow[]>();
let rollupsBefore: Record<string, unknown[]>;
let accountsBefore: unknown[];

const boardKey = (metric: string, scope: string, window: { from: Date; to: Date }) =>
  `${metric}/${scope} [${window.from.toISOString()}, ${window.to.toISOString()})`;

/** The rollups, with rank_counts' network (0014) left out: the first wave had one row per campaign. */
async function rollups(): Promise<Record<string, unknown[]>> {
  const state = await rollupState(db, campaign.id);
  return {
    ...state,
    rank_counts: (state.rank_counts ?? []).map((row) => {
      const { network: _network, ...rest } = row as Record<string, unknown>;
      return rest;
    }),
  };
}

async function fillAsTheFirstWave(): Promise<void> {
  const [row] = (
    await sql<{ id: number }>`
      insert into campaigns (slug, name, timezone, window_start, window_end, home_username, schedule, updated_at)
      values ('summit', 'Summit', ${scenario.timezone}, ${scenario.window.start}, ${scenario.window.end},
        ${scenario.homeUsername}, '{"live":"*/2 * * * *","snapshots":"0 * * * *","nightly":"0 2 * * *"}', now())
      returning id`.execute(db)
  ).rows;
  const campaignId = row?.id as number;
  const queries = [];
  for (const query of scenario.queries) {
    const inserted = await sql<{ id: number; query: string }>`
      insert into campaign_queries (campaign_id, query) values (${campaignId}, ${query}) returning id, query`.execute(
      db,
    );
    queries.push(...inserted.rows);
  }
  for (const [i, username] of [scenario.homeUsername, ...scenario.watchlist].entries()) {
    await sql`insert into campaign_accounts (campaign_id, username, role, added_at)
      values (${campaignId}, ${username}, ${i === 0 ? 'home' : 'peer'}, ${new Date(start + i * 1000)})`.execute(
      db,
    );
  }
  const ctx = {
    db,
    x: new XClient({ bearerToken: 'unused-by-this-test', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock(observedAt),
    log: silentLog,
  };
  await storeScenarioMatches(ctx, scenario, { campaignId, queries }, observedAt, 100);
  const known = new Set(
    (await sql<{ id: string }>`select id from accounts`.execute(db)).rows.map((r) => r.id),
  );
  for (const user of scenario.users.filter((u) => !known.has(u.id))) {
    const x = xUserOf(user, observedAt);
    await sql`insert into accounts (id, username, name, first_seen_at, last_seen_at)
      values (${x.id}, ${x.username}, ${x.name}, ${observedAt}, ${observedAt})`.execute(db);
  }
  const instants = windows.flatMap((w) => [w.from, w.to]);
  for (const instant of instants) {
    for (const user of scenario.users) {
      await sql`insert into account_snapshots (account_id, observed_at, followers_count, following_count, post_count, listed_count)
        values (${user.id}, ${instant}, ${user.followersAt(instant)}, ${user.followingCount}, 0, 0)
        on conflict do nothing`.execute(db);
    }
  }
  campaign = (await sql<Campaign>`select * from campaigns where id = ${campaignId}`.execute(db))
    .rows[0] as Campaign;
}

beforeAll(async () => {
  db = await openDatabase({ url: testDatabaseUrl, schema, poolSize: 5 });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  const { error } = await migrator.migrateTo('0012_archive_and_provenance');
  if (error) throw error;
  await fillAsTheFirstWave();

  for (const window of windows) {
    for (const metric of metrics) {
      for (const scope of scopes) {
        before.set(
          boardKey(metric, scope, window),
          await referenceLeaderboard(db, campaign, { metric, scope, ...window, firstWave: true }),
        );
      }
    }
  }
  rollupsBefore = await rollups();
  accountsBefore = (await sql`select * from accounts order by id`.execute(db)).rows;

  await migrateToLatest(db, schema);
}, 300_000);

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

describe('a first-wave database, migrated', { timeout: 180_000 }, () => {
  test('keeps every row as X, and each watched username as an entity of its own', async () => {
    const accounts = (await sql<Record<string, unknown>>`select * from accounts order by id`.execute(db))
      .rows;
    expect(
      accounts.map(({ network, native_id, mention_key, ...rest }) => {
        expect([network, native_id, mention_key]).toEqual(['x', null, String(rest.username).toLowerCase()]);
        return rest;
      }),
    ).toEqual(accountsBefore);
    const posts = await sql<{ networks: string[]; native: number }>`
      select array_agg(distinct network) as networks, count(native_id)::int as native from posts`.execute(db);
    expect(posts.rows[0]).toEqual({ networks: ['x'], native: 0 });
    const entities = await sql<{ name: string; role: string; position: number; username: string }>`
      select e.name, e.role, e.position, w.username from campaign_entities e
      join campaign_accounts w on w.entity_id = e.id order by e.position`.execute(db);
    expect(entities.rows).toEqual(
      [scenario.homeUsername, ...scenario.watchlist].map((name, position) => ({
        name,
        role: position === 0 ? 'home' : 'peer',
        position,
        username: name,
      })),
    );
  });

  test('keeps the rollups, row for row', async () => {
    expect(await rollups()).toEqual(rollupsBefore);
  });

  test.each(windows)('every board of the window from %o reads as before', async (window) => {
    for (const metric of metrics) {
      for (const scope of scopes) {
        const what = boardKey(metric, scope, window);
        const expected = before.get(what) ?? [];
        expect(expected.length, what).toBeGreaterThan(0);
        const board = await leaderboard(db, campaign, { metric, scope, ...window, limit: 500 });
        expect(
          board.rows.map((r) => [r.rank, r.accountId, r.value]),
          what,
        ).toEqual(expected.map((r) => [r.rank, r.accountId, r.value]));
        expect(board.total, what).toBe(expected.length);
        expect(board.home?.rank ?? null, what).toBe(expected.find((r) => r.isHome)?.rank ?? null);
      }
    }
  });
});
