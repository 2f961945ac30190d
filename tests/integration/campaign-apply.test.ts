import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { activeQueries, entitiesOf, findCampaign, watchlist } from '../../src/db/campaign-repository.ts';
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

  test('a multi-network file: entities, accounts per network, a Mastodon query per instance and tag', async () => {
    const forum = (watchlist: string) =>
      parseCampaignFile(
        `slug: forum26
name: Forum 2026
timezone: Europe/Paris
window: { start: 2026-12-07T00:00:00+01:00, end: 2026-12-10T00:00:00+01:00 }
home: { name: Open Data Forum, x: OpenData_Forum, bluesky: opendataforum.bsky.social, mastodon: opendataforum@mastodon.social }
queries:
  x: ["#OGP16"]
  bluesky: ["#OGP16"]
  mastodon: { tags: [OGP16, OGPSummit], instances: [mastodon.social, "http://127.0.0.1:4200/"] }
watchlist: ${watchlist}
`,
        'forum26.yaml',
      );
    const first = await applyCampaign(
      t.db,
      forum('[{ name: Etalab, x: etalab, bluesky: etalab.gouv.fr }, opengovpart]'),
      new Date(),
    );
    expect(first.queriesAdded).toEqual([
      '#OGP16',
      '#OGP16 (bluesky)',
      '#ogp16 (mastodon, mastodon.social)',
      '#ogpsummit (mastodon, mastodon.social)',
      '#ogp16 (mastodon, 127.0.0.1:4200)',
      '#ogpsummit (mastodon, 127.0.0.1:4200)',
    ]);
    expect(
      (await activeQueries(t.db, first.campaignId, 'mastodon')).map((q) => [q.instance, q.query]),
    ).toEqual([
      ['https://mastodon.social/', 'ogp16'],
      ['https://mastodon.social/', 'ogpsummit'],
      ['http://127.0.0.1:4200/', 'ogp16'],
      ['http://127.0.0.1:4200/', 'ogpsummit'],
    ]);
    expect((await activeQueries(t.db, first.campaignId)).map((q) => q.query)).toEqual(['#OGP16']);
    expect((await findCampaign(t.db, 'forum26'))?.home_username).toBe('OpenData_Forum');
    expect(await entitiesOf(t.db, first.campaignId)).toEqual([
      expect.objectContaining({
        name: 'Open Data Forum',
        role: 'home',
        network: 'bluesky',
        username: 'opendataforum.bsky.social',
      }),
      expect.objectContaining({
        name: 'Open Data Forum',
        role: 'home',
        network: 'mastodon',
        username: 'opendataforum@mastodon.social',
      }),
      expect.objectContaining({
        name: 'Open Data Forum',
        role: 'home',
        network: 'x',
        username: 'OpenData_Forum',
      }),
      expect.objectContaining({
        name: 'Etalab',
        role: 'peer',
        network: 'bluesky',
        username: 'etalab.gouv.fr',
      }),
      expect.objectContaining({ name: 'Etalab', role: 'peer', network: 'x', username: 'etalab' }),
      expect.objectContaining({ name: 'opengovpart', role: 'peer', network: 'x', username: 'opengovpart' }),
    ]);
    // The X collectors see the X side only, as in the first wave.
    expect((await watchlist(t.db, first.campaignId)).map((a) => a.username)).toEqual([
      'OpenData_Forum',
      'etalab',
      'opengovpart',
    ]);

    const again = await applyCampaign(
      t.db,
      forum('[{ name: Etalab, x: etalab, bluesky: etalab.gouv.fr }, opengovpart]'),
      new Date(),
    );
    expect(again).toMatchObject({
      queriesAdded: [],
      queriesRetired: [],
      watchlistAdded: [],
      watchlistRemoved: [],
    });

    // The Bluesky account moves to an entity of its own; X's etalab leaves with its entity.
    const moved = await applyCampaign(
      t.db,
      forum('[opengovpart, { name: DINUM, bluesky: Etalab.gouv.fr }]'),
      new Date(),
    );
    expect(moved).toMatchObject({ watchlistAdded: [], watchlistRemoved: ['etalab'] });
    expect((await entitiesOf(t.db, first.campaignId)).slice(3)).toEqual([
      expect.objectContaining({ name: 'opengovpart', network: 'x', username: 'opengovpart' }),
      expect.objectContaining({ name: 'DINUM', network: 'bluesky', username: 'etalab.gouv.fr' }),
    ]);
  });

  test('two entities of one name are refused, naming the field', async () => {
    const twice = parseCampaignFile(
      `slug: twice
name: Twice
timezone: UTC
window: { start: 2026-12-07T00:00:00Z, end: 2026-12-10T00:00:00Z }
home: OpenData_Forum
queries: { bluesky: ["#OGP16"] }
watchlist: [{ name: Etalab, x: etalab }, { name: etalab, bluesky: etalab.gouv.fr }]
`,
      'twice.yaml',
    );
    await expect(applyCampaign(t.db, twice, new Date())).rejects.toThrow(
      'watchlist.1.name: "etalab" already names watchlist.0; give each entity its own name',
    );
  });
});
