import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CampaignAppliedJson, ErrorJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * The campaign file over HTTP: created from its text with PUT, downloaded as YAML, and the download
 * put back changes nothing — the same campaign, the same file. Refusals name the field.
 */

const token = 'test-admin-token-0123456789';
const bearer = { Authorization: `Bearer ${token}` };
let t: TestDatabase;
let app: ReturnType<typeof createDashboard>;
let demoFile: string;

beforeAll(async () => {
  t = await createTestDatabase();
  app = createDashboard({
    db: t.db,
    clock: new ManualClock(new Date('2016-12-06T12:00:00Z')),
    adminToken: token,
    demo: false,
    log: silentLog,
  });
  demoFile = await readFile(new URL('../../campaigns/ogp16.yaml', import.meta.url), 'utf8');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const put = (slug: string, body: string, headers: Record<string, string> = bearer) =>
  app.request(`/api/v1/campaigns/${slug}/campaign.yaml`, { method: 'PUT', body, headers });

describe('campaign.yaml', () => {
  test('admin only, both ways', async () => {
    expect((await app.request('/api/v1/campaigns/ogp16/campaign.yaml')).status).toBe(401);
    expect((await put('ogp16', demoFile, {})).status).toBe(401);
  });

  test('create, download, put back: the same campaign and the same file', async () => {
    const created = await put('ogp16', demoFile);
    expect(created.status).toBe(201);
    expect(((await created.json()) as CampaignAppliedJson).created).toBe(true);

    const download = await app.request('/api/v1/campaigns/ogp16/campaign.yaml', { headers: bearer });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="ogp16.yaml"');
    const yaml = await download.text();
    // The same campaign; the watchlist comes back in the order it was added, ties by username
    // (one apply adds every peer at once) until entities keep their position (migration 0013).
    const byName = (file: ReturnType<typeof parseCampaignFile>) => ({
      ...file,
      watchlist: file.watchlist.toSorted((a, b) => a.name.localeCompare(b.name)),
    });
    expect(byName(parseCampaignFile(yaml, 'ogp16.yaml'))).toEqual(
      byName(parseCampaignFile(demoFile, 'ogp16.yaml')),
    );

    const again = await put('ogp16', yaml);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      campaign: 'ogp16',
      created: false,
      queriesAdded: [],
      queriesRetired: [],
      watchlistAdded: [],
      watchlistRemoved: [],
    });
    const second = await app.request('/api/v1/campaigns/ogp16/campaign.yaml', { headers: bearer });
    expect(await second.text()).toBe(yaml);
  });

  test('a campaign on X, Bluesky and Mastodon comes back whole, in its file order', async () => {
    const forumFile = await readFile(new URL('../../campaigns/forum26.yaml', import.meta.url), 'utf8');
    expect((await put('forum26', forumFile)).status).toBe(201);
    const download = await app.request('/api/v1/campaigns/forum26/campaign.yaml', { headers: bearer });
    const yaml = await download.text();
    // Entities keep their position: the same file, watchlist order included.
    expect(parseCampaignFile(yaml, 'forum26.yaml')).toEqual(parseCampaignFile(forumFile, 'forum26.yaml'));
    expect(yaml).toContain('bluesky');
    expect(yaml).toContain('mastodon');
    const again = await put('forum26', yaml);
    expect(await again.json()).toEqual({
      campaign: 'forum26',
      created: false,
      queriesAdded: [],
      queriesRetired: [],
      watchlistAdded: [],
      watchlistRemoved: [],
    });
    const second = await app.request('/api/v1/campaigns/forum26/campaign.yaml', { headers: bearer });
    expect(await second.text()).toBe(yaml);
  });

  test('an edit in the browser: a peer added, a query dropped (retired), a budget set', async () => {
    const file = parseCampaignFile(demoFile, 'ogp16.yaml');
    const [kept, dropped] = file.queries.x;
    const yaml = (
      await (await app.request('/api/v1/campaigns/ogp16/campaign.yaml', { headers: bearer })).text()
    )
      .replace(`  - ${JSON.stringify(dropped)}\n`, '')
      .replace('watchlist:\n', 'watchlist:\n  - NewPeer_2016\n')
      .concat('budget:\n  monthly_usd: 49.99\n');
    const response = await put('ogp16', yaml);
    expect(response.status).toBe(200);
    const applied = (await response.json()) as CampaignAppliedJson;
    expect(applied.queriesRetired).toEqual([dropped]);
    expect(applied.watchlistAdded).toEqual(['NewPeer_2016']);
    const back = parseCampaignFile(
      await (await app.request('/api/v1/campaigns/ogp16/campaign.yaml', { headers: bearer })).text(),
      'ogp16.yaml',
    );
    expect(back.queries.x).toContain(kept);
    expect(back.queries.x).not.toContain(dropped);
    expect(back.watchlist.map((entity) => entity.x)).toContain('NewPeer_2016');
    expect(back.budget).toEqual({ monthly_usd: 49.99 });
  });

  test('POST creates a campaign, never overwrites one', async () => {
    const other = demoFile.replace(/^slug: .*$/m, 'slug: other-event');
    const created = await app.request('/api/v1/campaigns', { method: 'POST', body: other, headers: bearer });
    expect(created.status).toBe(201);
    expect(((await created.json()) as CampaignAppliedJson).campaign).toBe('other-event');
    const again = await app.request('/api/v1/campaigns', { method: 'POST', body: other, headers: bearer });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorJson).error.message).toMatch(/^slug: campaign "other-event" exists/);
  });

  test.each([
    [
      'a bad field, with its line',
      (text: string) => text.replace(/^timezone: .*$/m, 'timezone: Mars/Base'),
      /^ogp16\.yaml: line \d+, timezone: expected an IANA time zone/,
    ],
    [
      "another campaign's slug",
      (text: string) => text.replace(/^slug: .*$/m, 'slug: other'),
      /slug: "other" is not the campaign of this address/,
    ],
    ['not YAML', () => 'slug: [', /^ogp16\.yaml: not valid YAML/],
  ])('%s: 400 naming it', async (_name, edit, message) => {
    const response = await put('ogp16', edit(demoFile));
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorJson;
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.message).toMatch(message);
  });
});
