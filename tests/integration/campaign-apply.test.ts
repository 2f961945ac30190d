import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { activeQueries, findCampaign, watchlist } from '../../src/db/campaign-repository.ts';
import { createTestDatabase, type TestDatabase } from '../support/services.ts';

const file = (queries: string, peers: string) =>
  parseCampaignFile(
    `slug: forum
name: Forum
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ${queries}
watchlist: ${peers}
`,
    'forum.yaml',
  );

describe('applyCampaign', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  test('creates, then changes nothing when applied again', async () => {
    const first = await applyCampaign(
      t.db,
      file('["#OGP16", "#OGPSummit"]', '[peer_one, peer_two]'),
      new Date(),
    );
    expect(first).toMatchObject({ created: true, queriesAdded: ['#OGP16', '#OGPSummit'] });
    const again = await applyCampaign(
      t.db,
      file('["#OGP16", "#OGPSummit"]', '[peer_one, peer_two]'),
      new Date(),
    );
    expect(again).toMatchObject({
      created: false,
      queriesAdded: [],
      queriesRetired: [],
      watchlistAdded: [],
      watchlistRemoved: [],
    });

    const campaign = await findCampaign(t.db, 'forum');
    expect(campaign?.schedule).toEqual({ live: '*/2 * * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' });
    expect((await activeQueries(t.db, first.campaignId)).map((q) => q.query)).toEqual([
      '#OGP16',
      '#OGPSummit',
    ]);
    expect(await watchlist(t.db, first.campaignId)).toEqual([
      { username: 'OpenData_Forum', role: 'home', account_id: null },
      { username: 'peer_one', role: 'peer', account_id: null },
      { username: 'peer_two', role: 'peer', account_id: null },
    ]);
  });

  test('a changed file retires queries, keeps their cursor, and brings them back', async () => {
    const { campaignId } = await applyCampaign(t.db, file('["#OGP16"]', '[PEER_ONE]'), new Date());
    await t.db
      .updateTable('campaign_queries')
      .set({ newest_id: '806000000000000001' })
      .where('query', '=', '#OGPSummit')
      .execute();
    expect((await activeQueries(t.db, campaignId)).map((q) => q.query)).toEqual(['#OGP16']);
    expect((await watchlist(t.db, campaignId)).map((a) => a.username)).toEqual([
      'OpenData_Forum',
      'PEER_ONE',
    ]);

    const back = await applyCampaign(t.db, file('["#OGP16", "#OGPSummit"]', '[peer_one]'), new Date());
    expect(back.queriesAdded).toEqual(['#OGPSummit']);
    const summit = (await activeQueries(t.db, campaignId)).find((q) => q.query === '#OGPSummit');
    expect(summit?.newest_id).toBe('806000000000000001');
  });
});
