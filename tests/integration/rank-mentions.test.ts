import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addPeer } from '../../src/db/campaign-repository.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { rebuildRollups } from '../../src/rank/rollups.ts';
import {
  createCampaign,
  type FixtureAccount,
  type FixturePost,
  rollupState,
  storePosts,
} from '../support/rank-fixtures.ts';
import { referenceLeaderboard } from '../support/rank-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

/*
 * The mentions board counts a mentioned username when the account last seen under it is of scope
 * `all` (an author of the window, or the watchlist). Each step below moves that count one way the
 * writers can: an account starting to post, a mention count back to 0, a rename, a username taken
 * by another account, the watchlist. After each, the board (total, rows, home, movement) equals the
 * straightforward GROUP BY, and the rollups equal a rebuild.
 */

let t: TestDatabase;
let db: Db;
let campaign: Campaign;
let queryIds: number[];

const account = (id: string, username: string): FixtureAccount => ({ id, username });
const home = account('1', 'home');
const alice = account('2', 'alice');
const bob = account('3', 'bob');
const carol = account('4', 'carol');
const dave = account('5', 'dave');
const erin = account('6', 'erin');

let nextId = 1000;
const post = (author: FixtureAccount, at: string, mentions: string[]): FixturePost => ({
  id: String(nextId++),
  authorId: author.id,
  createdAt: new Date(at),
  kind: 'post',
  mentions,
  likes: 0,
  reposts: 0,
  replies: 0,
  quotes: 0,
  impressions: null,
  queries: [0],
});

let seen = Date.parse('2016-11-02T00:00:00Z');
/** Each store is seen later than the one before: account rows take the latest username. */
async function store(accounts: FixtureAccount[], posts: FixturePost[]): Promise<void> {
  seen += 3600_000;
  await storePosts(db, { campaignId: campaign.id, queryIds, accounts }, posts, new Date(seen));
}

async function expectExact(what: string): Promise<void> {
  const from = campaign.window_start;
  const to = campaign.window_end;
  // A live board, an hour and a half into its second day: movement reads parts of hours too.
  const asOf = new Date('2016-10-30T01:30:00Z');
  const board = await leaderboard(db, campaign, { metric: 'mentions', scope: 'all', limit: 100, asOf });
  const expected = await referenceLeaderboard(db, campaign, { metric: 'mentions', scope: 'all', from, to });
  expect(
    board.rows.map(({ rank, accountId, value }) => ({ rank, accountId, value })),
    what,
  ).toEqual(expected.map(({ rank, accountId, value }) => ({ rank, accountId, value })));
  expect(board.total, what).toBe(expected.length);
  expect(board.home?.rank ?? null, what).toBe(expected.find((row) => row.isHome)?.rank ?? null);
  for (const [key, end] of [
    ['rankHourAgo', board.movement.hourAgo],
    ['rankDayStart', board.movement.dayStart],
  ] as const) {
    const earlier = end
      ? await referenceLeaderboard(db, campaign, { metric: 'mentions', scope: 'all', from, to: end })
      : [];
    const rankOf = new Map(earlier.map((row) => [row.accountId, row.rank]));
    expect(
      board.rows.map((row) => [row.username, row[key]]),
      `${what}: ${key}`,
    ).toEqual(board.rows.map((row) => [row.username, rankOf.get(row.accountId) ?? null]));
  }
  // Boards of other windows (one local day, from midday to the end, and a week around the
  // campaign's, past its posts on either side) read every mentioned username of the window at
  // once: the same rule, by another path.
  for (const window of [
    { from: new Date('2016-10-29T22:00:00Z'), to: new Date('2016-10-30T23:00:00Z') },
    { from: new Date('2016-10-29T10:00:00Z'), to },
    { from: new Date('2016-10-27T00:00:00Z'), to: new Date('2016-11-06T00:00:00Z') },
  ]) {
    const other = `${what}: [${window.from.toISOString()}, ${window.to.toISOString()})`;
    const onWindow = await leaderboard(db, campaign, {
      metric: 'mentions',
      scope: 'all',
      limit: 100,
      ...window,
    });
    const truth = await referenceLeaderboard(db, campaign, { metric: 'mentions', scope: 'all', ...window });
    expect(
      onWindow.rows.map(({ rank, accountId, value }) => ({ rank, accountId, value })),
      other,
    ).toEqual(truth.map(({ rank, accountId, value }) => ({ rank, accountId, value })));
    expect(onWindow.total, other).toBe(truth.length);
  }
  const kept = await rollupState(db, campaign.id);
  // The rebuild is rolled back: the next step keeps writing through the triggers.
  await db
    .transaction()
    .execute(async (trx) => {
      await rebuildRollups(trx, campaign.id);
      expect(await rollupState(trx, campaign.id), `${what}: rollups`).toEqual(kept);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
}

class Rollback extends Error {}

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
  ({ campaign, queryIds } = await createCampaign(
    db,
    {
      slug: 'mentions',
      timezone: 'Europe/Paris',
      start: '2016-10-29T00:00:00+02:00',
      end: '2016-11-01T00:00:00+01:00',
      home: 'home',
      watchlist: ['erin'],
    },
    ['#m'],
  ));
});

afterAll(async () => {
  await t.drop();
});

describe('the mentions board counts exactly the usernames that name an account in scope', () => {
  test('authors, the watchlist, and usernames no account in scope holds', async () => {
    // carol is mentioned but does not post yet; erin is on the watchlist and never posts; nobody
    // is called ghost. Posts fall on both sides of the hour and the day the movement compares with.
    await store(
      [home, alice, bob, carol, erin],
      [
        post(alice, '2016-10-29T08:00:00Z', ['home', 'Bob', 'carol', 'ERIN', 'ghost']),
        post(bob, '2016-10-29T09:00:00Z', ['home', 'alice']),
        post(home, '2016-10-29T23:10:00Z', ['alice', 'bob']),
        post(alice, '2016-10-30T00:45:00Z', ['home', 'carol']),
        post(bob, '2016-10-30T01:15:00Z', ['erin', 'alice']),
        post(home, '2016-10-30T01:40:00Z', ['carol']),
      ],
    );
    await expectExact('first posts');
  });

  test('an account starting to post', async () => {
    await store([carol], [post(carol, '2016-10-29T10:00:00Z', ['bob'])]);
    await expectExact('carol posts');
  });

  test('a mention count back to 0', async () => {
    // dave's only mention, then that post deleted.
    await store([home, dave], [post(home, '2016-10-29T12:00:00Z', ['dave'])]);
    await store([dave], [post(dave, '2016-10-29T13:00:00Z', [])]);
    await expectExact('dave mentioned');
    const only = String(nextId - 2);
    await db.updateTable('posts').set({ deleted: true }).where('id', '=', only).execute();
    await expectExact('the post mentioning dave deleted');
  });

  test('a rename, and the old username taken by another account', async () => {
    await store(
      [account(alice.id, 'alicia')],
      [post(account(alice.id, 'alicia'), '2016-10-29T14:00:00Z', [])],
    );
    await expectExact('alice renamed alicia');
    // A new account under the old name: mentions of alice now name it, once it posts.
    const newAlice = account('7', 'Alice');
    await store([newAlice], [post(newAlice, '2016-10-31T10:00:00Z', ['home'])]);
    await expectExact('another alice');
  });

  test('a username held by two accounts: the one last seen under it counts', async () => {
    // bob (an author) and a second account that calls itself bob, seen later, that never posts
    // in the campaign: mentions of bob name the newcomer, out of scope.
    const otherBob = account('8', 'BOB');
    await store([otherBob], [post(otherBob, '2016-11-05T10:00:00Z', [])]);
    await expectExact('a second bob, seen later, outside the window');
    // bob seen again, later: his mentions count again.
    await store([bob], [post(bob, '2016-10-31T11:00:00Z', [])]);
    await expectExact('bob seen again');
  });

  test('a username held by two accounts, mentioned only after the window', async () => {
    // gina posts in the window; a second account calling itself gina, seen later, posts only after
    // the week around it. Only a post after the window mentions gina: that week counts the
    // mention for the newcomer, out of scope (the campaign window's rollups know nothing of it).
    const gina = account('10', 'gina');
    const otherGina = account('11', 'Gina');
    await store([gina], [post(gina, '2016-10-30T12:00:00Z', [])]);
    await store([otherGina], [post(otherGina, '2016-11-07T10:00:00Z', [])]);
    await store([home], [post(home, '2016-11-04T10:00:00Z', ['gina'])]);
    await expectExact('gina mentioned after the window only');
  });

  test('the watchlist', async () => {
    await store([home, account('9', 'frank')], [post(home, '2016-10-29T15:00:00Z', ['frank'])]);
    await expectExact('frank mentioned, not in scope');
    await addPeer(db, campaign.id, 'Frank');
    await expectExact('frank on the watchlist');
    await db
      .deleteFrom('campaign_accounts')
      .where('campaign_id', '=', campaign.id)
      .where('username', '=', 'erin')
      .execute();
    await expectExact('erin off the watchlist');
  });
});
