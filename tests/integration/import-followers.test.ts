import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findCampaign } from '../../src/db/campaigns.ts';
import { aboutTable } from '../../src/export/about.ts';
import { followerGrowthTable } from '../../src/export/datasets.ts';
import { accountSeries } from '../../src/rank/series.ts';
import { accountRow, applyOgp16 } from '../support/campaign-fixture.ts';
import { createScratchDatabase, type ScratchDatabase, spawnTracker } from '../support/processes.ts';
import { defined } from '../support/services.ts';

/**
 * `tracker import followers`: counts kept by hand become follower readings marked imported, beside
 * the collected ones, in the follower series and the follower export; bad rows are named by line
 * and left out, the good ones kept; importing again adds nothing.
 */
let dir: string;
let database: ScratchDatabase;
const seenAt = new Date('2016-12-06T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'followers-'));
  database = await createScratchDatabase();
  await applyOgp16(database.db, seenAt, ['etalab']);
  await database.db
    .insertInto('accounts')
    .values([accountRow('101', 'OpenData_Forum', seenAt), accountRow('202', 'etalab', seenAt)])
    .execute();
  // One reading the tracker collected itself.
  await database.db
    .insertInto('account_snapshots')
    .values({
      account_id: '101',
      observed_at: new Date('2016-12-08T12:00:00Z'),
      followers_count: 300,
      following_count: 40,
      post_count: 900,
      listed_count: 5,
    })
    .execute();
}, 60_000);

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const importCsv = async (file: string) => {
  const run = spawnTracker(['import', 'followers', file, '--campaign', 'ogp16'], {
    DATABASE_URL: database.url,
    LOG_LEVEL: 'warn',
  });
  const [code] = await once(run.child, 'exit');
  return { code, output: run.output() };
};

describe('tracker import followers', () => {
  test('good rows become imported readings; bad rows are named by line; a second import adds nothing', async () => {
    const file = join(dir, 'kept-by-hand.csv');
    await writeFile(
      file,
      [
        'time,network,handle,followers',
        '2016-12-07T09:00:00+01:00,x,@OpenData_Forum,194',
        '2016-12-07,x,OpenData_Forum,200',
        '2016-12-09T09:00:00+01:00,x,opendata_forum,480',
        '2016-12-09T10:00:00+01:00,bluesky,opendataforum.bsky.social,12',
        '2016-12-09T11:00:00+01:00,x,nobody_here,10',
        '2016-12-09T12:00:00+01:00,x,etalab,many',
        '"2016-12-10T09:00:00+01:00","x","etalab","15000"',
        '2016-12-10T10:00:00+01:00,x,etalab',
        '',
      ].join('\n'),
    );
    const first = await importCsv(file);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('line 3 left out: time "2016-12-07" is not an instant with its offset');
    expect(first.output).toContain('line 5 left out: network "bluesky": only x can be imported for now');
    expect(first.output).toContain('line 6 left out: @nobody_here is not known to the tracker yet');
    expect(first.output).toContain('line 7 left out: followers "many" is not a whole number');
    expect(first.output).toContain('line 9 left out: expected 4 values');
    expect(first.output).toContain('8 row(s), 3 new follower reading(s), 0 already stored, 5 bad row(s)');

    const readings = await database.db
      .selectFrom('account_snapshots')
      .select(['account_id', 'observed_at', 'followers_count', 'following_count', 'source'])
      .orderBy('account_id')
      .orderBy('observed_at')
      .execute();
    expect(readings).toEqual([
      {
        account_id: '101',
        observed_at: new Date('2016-12-07T08:00:00Z'),
        followers_count: 194,
        following_count: null,
        source: 'import:kept-by-hand.csv',
      },
      {
        account_id: '101',
        observed_at: new Date('2016-12-08T12:00:00Z'),
        followers_count: 300,
        following_count: 40,
        source: 'collected',
      },
      {
        account_id: '101',
        observed_at: new Date('2016-12-09T08:00:00Z'),
        followers_count: 480,
        following_count: null,
        source: 'import:kept-by-hand.csv',
      },
      {
        account_id: '202',
        observed_at: new Date('2016-12-10T08:00:00Z'),
        followers_count: 15000,
        following_count: null,
        source: 'import:kept-by-hand.csv',
      },
    ]);

    // The series and the export say which readings were imported.
    const campaign = defined(await findCampaign(database.db, 'ogp16'), 'campaign');
    const window = { from: campaign.window_start, to: new Date('2016-12-11T00:00:00Z') };
    const series = await accountSeries(
      database.db,
      campaign,
      { network: 'x', handle: 'OpenData_Forum' },
      {
        metric: 'followers',
        interval: 'day',
        ...window,
      },
    );
    expect(series.map((point) => [point.value, point.source])).toEqual([
      [194, 'imported'],
      [300, 'collected'],
      [480, 'imported'],
    ]);
    const table = followerGrowthTable([
      {
        network: 'x',
        username: 'OpenData_Forum',
        isHome: true,
        points: series,
        start: null,
        end: 480,
        growth: null,
        growthPct: null,
      },
    ]);
    expect([...(table.rows as Iterable<Record<string, unknown>>)].map((row) => row.source)).toEqual([
      'imported',
      'collected',
      'imported',
    ]);

    // The About sheet says where the window's follower readings came from.
    const about = await aboutTable(database.db, campaign, window, new Date('2016-12-12T00:00:00Z'));
    const origins = [...(about.rows as Iterable<{ topic: string; text: string }>)]
      .filter((row) => row.topic === 'follower readings from')
      .map((row) => row.text.replace(/, taken from .*/, ''));
    expect(origins).toEqual([
      'imported from the file kept-by-hand.csv: 3 reading(s) of the home and watchlist accounts',
      'collected from X: 1 reading(s) of the home and watchlist accounts',
    ]);

    const run = await database.db
      .selectFrom('collection_runs')
      .selectAll()
      .where('kind', '=', 'import')
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({
      target: 'followers kept-by-hand.csv: 3 new reading(s) of 8 row(s)',
      outcome: 'ok',
      entries_skipped: 5,
    });
    expect(run.error).toMatch(/^5 bad row\(s\) left out: line 3 \(time/);

    const again = await importCsv(file);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('8 row(s), 0 new follower reading(s), 3 already stored, 5 bad row(s)');
    expect(await database.db.selectFrom('account_snapshots').select('account_id').execute()).toHaveLength(4);
  }, 120_000);

  test('a file without the header is refused by line', async () => {
    const file = join(dir, 'no-header.csv');
    await writeFile(file, '2016-12-07T09:00:00+01:00,x,OpenData_Forum,194\n');
    const result = await importCsv(file);
    expect(result.code).toBe(0);
    expect(result.output).toContain('line 1 left out: the header must be time,network,handle,followers');
    expect(result.output).toContain('0 row(s), 0 new follower reading(s)');
  }, 60_000);
});
