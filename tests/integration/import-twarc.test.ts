import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { findCampaign } from '../../src/db/campaigns.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { rankRows } from '../../src/simulator/truth.ts';
import { createScratchDatabase, type ScratchDatabase, spawnTracker } from '../support/processes.ts';
import { defined } from '../support/services.ts';
import { flatten, truthFromData, twarcPages, twarcWindow } from '../support/twarc-files.ts';

/**
 * `tracker import twarc`: a file made of real captured X pages, in twarc2's raw form and flattened,
 * imports into a campaign whose boards equal a truth computed from the file's `data` entries; broken
 * lines are named and skipped; importing again changes nothing.
 */
let dir: string;
const databases: ScratchDatabase[] = [];
const pages = twarcPages();
const truth = truthFromData(pages);

async function campaignDb(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  databases.push(database);
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'kpop',
      name: 'K-pop',
      timezone: 'Europe/Paris',
      window: twarcWindow,
      home: 'TwitterDev',
      queries: ['#kpop', '#bts'],
    }),
    'kpop.json',
  );
  await applyCampaign(database.db, file, new Date('2023-01-02T00:00:00Z'));
  return database;
}

async function importFile(database: ScratchDatabase, file: string, ...extra: string[]) {
  const run = spawnTracker(['import', 'twarc', file, '--campaign', 'kpop', ...extra], {
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
  });
  const [code] = await once(run.child, 'exit');
  return { code, output: run.output() };
}

/** Everything an import may write, to tell that a second import changed nothing. */
async function snapshot(database: ScratchDatabase) {
  const db = database.db;
  return {
    posts: await db.selectFrom('posts').selectAll().orderBy('id').execute(),
    readings: await db
      .selectFrom('post_metric_snapshots')
      .selectAll()
      .orderBy('post_id')
      .orderBy('observed_at')
      .execute(),
    links: await db.selectFrom('campaign_posts').select(['query_id', 'post_id']).orderBy('post_id').execute(),
    accounts: await db
      .selectFrom('accounts')
      .select(['id', 'username', 'last_seen_at'])
      .orderBy('id')
      .execute(),
    followers: await db.selectFrom('account_snapshots').selectAll().orderBy('account_id').execute(),
  };
}

async function expectBoardsEqualTruth(database: ScratchDatabase) {
  const campaign = defined(await findCampaign(database.db, 'kpop'), 'campaign');
  for (const metric of ['posts', 'reposts', 'engagement'] as const) {
    const board = await leaderboard(database.db, campaign, { metric, scope: 'all', limit: 1000 });
    const expected = rankRows(
      [...truth[metric]]
        .filter(([, value]) => value > 0)
        .map(([username, value]) => ({ username, authorId: username, value })),
    );
    expect(board.rows.map((row) => [row.rank, row.username, row.value]).sort(), metric).toEqual(
      expected.map((row) => [row.rank, row.username, row.value]).sort(),
    );
    expect(board.rows.length, metric).toBeGreaterThan(metric === 'engagement' ? 3 : 10);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twarc-'));
});

afterAll(async () => {
  for (const database of databases) await database.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('tracker import twarc', () => {
  test('raw pages: boards equal the data entries’ truth; broken lines named; a second import changes nothing', async () => {
    const [first, second, third] = pages.map((page) => JSON.stringify(page));
    const file = join(dir, 'kpop.jsonl');
    await writeFile(
      file,
      [first, '{"data": [{"id": "1", "text"', second, '{"hello": "world"}', third, ''].join('\n'),
    );
    const database = await campaignDb();

    const imported = await importFile(database, file);
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(/line 2 skipped: not JSON/);
    expect(imported.output).toMatch(/line 4 skipped: not a twarc2 line: __twarc/);
    expect(imported.output).toMatch(
      /imported .*kpop\.jsonl into kpop \(#kpop\): 5 lines, 101 new \/ 100 updated posts, 2 broken line\(s\)/,
    );
    await expectBoardsEqualTruth(database);

    // Metrics are readings at __twarc.retrieved_at; every row says where it came from.
    const readings = await database.db
      .selectFrom('post_metric_snapshots')
      .select(['observed_at', 'source'])
      .execute();
    expect(new Set(readings.map((row) => row.observed_at.toISOString()))).toEqual(
      new Set(['2021-09-22T16:39:00.000Z', '2021-09-22T17:39:00.000Z', '2022-12-16T19:00:00.000Z']),
    );
    expect(new Set(readings.map((row) => row.source))).toEqual(new Set(['import:kpop.jsonl']));
    const followers = await database.db.selectFrom('account_snapshots').select('source').distinct().execute();
    expect(followers.map((row) => row.source)).toEqual(['import:kpop.jsonl']);
    const run = await database.db
      .selectFrom('collection_runs')
      .selectAll()
      .where('kind', '=', 'import')
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      target: 'twarc kpop.jsonl: 5 lines',
      outcome: 'ok',
      posts_new: 101,
      requests: 0,
    });
    expect(run.error).toMatch(/^2 broken line\(s\) skipped: line 2 \(not JSON/);

    const before = await snapshot(database);
    const again = await importFile(database, file);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/0 new \/ 0 updated posts/);
    expect(await snapshot(database)).toEqual(before);
  }, 120_000);

  test('flattened lines give the same boards; --query names the query matched', async () => {
    const file = join(dir, 'kpop-flat.jsonl');
    await writeFile(
      file,
      `${flatten(pages)
        .map((line) => JSON.stringify(line))
        .join('\n')}\n`,
    );
    const database = await campaignDb();
    const imported = await importFile(database, file, '--query', '#bts');
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(
      /into kpop \(#bts\): 201 lines, 101 new \/ 100 updated posts, 0 broken line/,
    );
    await expectBoardsEqualTruth(database);
    const queries = await database.db
      .selectFrom('campaign_posts')
      .innerJoin('campaign_queries', 'campaign_queries.id', 'campaign_posts.query_id')
      .select('campaign_queries.query')
      .distinct()
      .execute();
    expect(queries.map((row) => row.query)).toEqual(['#bts']);

    const unknown = await importFile(database, file, '--query', '#nope');
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/campaign "kpop" has no query "#nope": use one of "#kpop", "#bts"/);
  }, 120_000);
});
