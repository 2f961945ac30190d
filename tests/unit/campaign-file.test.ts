import { describe, expect, test } from 'vitest';
import { CampaignFileError, campaignFileYaml, parseCampaignFile } from '../../src/campaigns/campaign-file.ts';

const valid = `
slug: ogp16
name: Local Government Open Data Forum — OGP Global Summit 2016
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16", "#OGPSummit"]
watchlist: [opengovpart, "@etalab", OpenData_Forum, ETALAB]
schedule: { live: "*/2 * * * *" }
`;

describe('parseCampaignFile', () => {
  test('reads the design example, with defaults and normalised names', () => {
    const file = parseCampaignFile(valid, 'ogp16.yaml');
    expect(file.window.start.toISOString()).toBe('2016-12-06T23:00:00.000Z');
    expect(file.home).toEqual({ name: 'OpenData_Forum', x: 'OpenData_Forum', bluesky: null, mastodon: null });
    // '@' dropped, duplicates (case-insensitive) and the home account removed from the peers
    expect(file.watchlist.map((entity) => entity.x)).toEqual(['opengovpart', 'etalab']);
    expect(file.queries).toEqual({ x: ['#OGP16', '#OGPSummit'], bluesky: [], mastodon: null });
    expect(file.schedule).toEqual({ live: '*/2 * * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' });
  });

  test('a monthly budget is optional, in dollars and cents', () => {
    expect(parseCampaignFile(valid, 'c.yaml').budget).toBeUndefined();
    expect(parseCampaignFile(`${valid}budget: { monthly_usd: 49.99 }\n`, 'c.yaml').budget).toEqual({
      monthly_usd: 49.99,
    });
  });

  test('reads JSON by extension', () => {
    const json = JSON.stringify({
      slug: 'x',
      name: 'X',
      timezone: 'UTC',
      window: { start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z' },
      home: 'someone',
      queries: ['#x'],
    });
    expect(parseCampaignFile(json, 'x.json').slug).toBe('x');
  });

  test.each([
    ['a wrong type', valid.replace('queries: ["#OGP16", "#OGPSummit"]', 'queries: "#OGP16"'), /queries: /],
    ['an unknown key', `${valid}colour: blue\n`, /Unrecognized key.*colour|colour/],
    [
      'a bad time zone',
      valid.replace('Europe/Paris', 'Europe/Atlantis'),
      /timezone: expected an IANA time zone/,
    ],
    [
      'an impossible window',
      valid.replace('end: 2016-12-10', 'end: 2016-12-01'),
      /window.end: window.end must be after/,
    ],
    [
      'a date without offset',
      valid.replace('2016-12-07T00:00:00+01:00', '2016-12-07'),
      /window.start: expected an ISO 8601/,
    ],
    [
      'a bad username',
      valid.replace('home: OpenData_Forum', 'home: open-data-forum'),
      /home: expected an X username/,
    ],
    ['an empty query', valid.replace('"#OGPSummit"', '""'), /queries.1: expected a non-empty X search query/],
    [
      'a query with a line break',
      valid.replace('"#OGPSummit"', '"#OGP\\nSummit"'),
      /queries.1: X queries cannot hold control characters/,
    ],
    ['an unbalanced quote', valid.replace('"#OGPSummit"', `'"open data'`), /queries.1: unbalanced "/],
    [
      'an unclosed parenthesis',
      valid.replace('"#OGPSummit"', '"(#OGP16 OR #OGPSummit"'),
      /a \( without its \)/,
    ],
    ['a stray parenthesis', valid.replace('"#OGPSummit"', '"#OGP16)"'), /a \) without its \(/],
    [
      'a dangling operator',
      valid.replace('"#OGPSummit"', '"#OGP16 from:"'),
      /"from:" needs something after it/,
    ],
    [
      'a bad cron pattern',
      valid.replace('*/2 * * * *', 'every two minutes'),
      /schedule.live: expected a 5-field cron/,
    ],
    ['a bad slug', valid.replace('slug: ogp16', 'slug: OGP 16'), /slug: expected lower-case/],
    ['broken YAML', 'slug: [unclosed', /not valid YAML/],
    ['a budget of nothing', `${valid}budget: { monthly_usd: 0 }\n`, /budget.monthly_usd: expected an amount/],
    ['a budget in text', `${valid}budget: { monthly_usd: "50" }\n`, /budget.monthly_usd: expected an amount/],
    [
      'a budget below the cent',
      `${valid}budget: { monthly_usd: 9.999 }\n`,
      /budget.monthly_usd: expected dollars/,
    ],
    ['a budget with an unknown key', `${valid}budget: { daily_usd: 5 }\n`, /budget/],
  ])('%s gives one clear line', (_case, text, message) => {
    const attempt = () => parseCampaignFile(text, 'c.yaml');
    expect(attempt).toThrow(CampaignFileError);
    expect(attempt).toThrow(message);
    expect(() => parseCampaignFile(text, 'c.yaml')).toThrow(/^c\.yaml: /);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  test('reads the multi-network form of the design, normalising handles and instances', () => {
    const file = parseCampaignFile(
      `
slug: forum26
name: Local Government Open Data Forum 2026
timezone: Europe/Paris
window: { start: 2026-12-07T00:00:00+01:00, end: 2026-12-10T00:00:00+01:00 }
home: { name: Open Data Forum, x: OpenData_Forum, bluesky: OpenDataForum.bsky.social, mastodon: "@opendataforum@Mastodon.Social" }
queries:
  x: ["#OGP16", "#OGPSummit"]
  bluesky: ["#OGP16"]
  mastodon: { tags: ["#OGP16", OGPSummit], instances: [mastodon.social, "http://127.0.0.1:4200", mastodon.social] }
watchlist:
  - { name: Etalab, x: etalab, bluesky: etalab.gouv.fr }
  - opengovpart
  - { name: Forum again, bluesky: opendataforum.bsky.social }
`,
      'forum26.yaml',
    );
    expect(file.home).toEqual({
      name: 'Open Data Forum',
      x: 'OpenData_Forum',
      bluesky: 'opendataforum.bsky.social',
      mastodon: 'opendataforum@mastodon.social',
    });
    // the third entry names the home entity's Bluesky account: dropped
    expect(file.watchlist).toEqual([
      { name: 'Etalab', x: 'etalab', bluesky: 'etalab.gouv.fr', mastodon: null },
      { name: 'opengovpart', x: 'opengovpart', bluesky: null, mastodon: null },
    ]);
    expect(file.queries.bluesky).toEqual(['#OGP16']);
    expect(file.queries.mastodon).toEqual({
      tags: ['ogp16', 'ogpsummit'],
      instances: [
        { name: 'mastodon.social', baseUrl: 'https://mastodon.social/' },
        { name: '127.0.0.1:4200', baseUrl: 'http://127.0.0.1:4200/' },
      ],
    });
  });

  test.each([
    [
      'a Bluesky handle that is no domain',
      'home: { name: F, bluesky: "open data" }',
      /line 6, home.bluesky: expected a Bluesky handle/,
    ],
    [
      'a Mastodon account without its instance',
      'home: { name: F, mastodon: opendataforum }',
      /line 6, home.mastodon: expected a Mastodon account with its instance/,
    ],
    ['an entity with no account', 'home: { name: F }', /line 6, home: expected at least one account/],
    [
      'an entity key of no network',
      'home: { name: F, myspace: f }',
      /line 6, home: Unrecognized key.*myspace/,
    ],
    [
      'an instance that is neither host nor URL',
      'home: F\nqueries: { mastodon: { tags: [a], instances: ["not an instance"] } }',
      /line 7, queries.mastodon.instances.0: expected an instance host/,
    ],
    [
      'no query on any network',
      'home: F\nqueries: { x: [], bluesky: [] }',
      /line 7, queries: expected at least one query on one network/,
    ],
  ])('%s: one line naming the line and the field', (_, lines, message) => {
    const text = `slug: f\nname: F\ntimezone: UTC\nwindow: { start: 2026-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z }\nqueries: ["#f"]\n${lines}\n`;
    const attempt = () =>
      parseCampaignFile(
        text.replace('queries: ["#f"]\n', lines.includes('queries') ? '\n' : 'queries: ["#f"]\n'),
        'f.yaml',
      );
    expect(attempt).toThrow(CampaignFileError);
    expect(attempt).toThrow(message);
  });
});

describe('campaignFileYaml: the file read back is the same campaign', () => {
  const files = {
    'X only, short forms': {
      slug: 'ogp16',
      name: 'Forum — été',
      timezone: 'Europe/Paris',
      window: { start: '2016-12-07T00:00:00+01:00', end: '2016-12-10T00:00:00+01:00' },
      home: '@OpenData_Forum',
      queries: ['#OGP16', '"open data" lang:fr'],
      watchlist: ['Veltara_Open', 'CivoraLab'],
    },
    'three networks, alerts, budget, a DST window': {
      slug: 'multi',
      name: 'Multi',
      timezone: 'America/New_York',
      window: { start: '2026-03-07T00:00:00-05:00', end: '2026-03-10T00:00:00-04:00' },
      home: { name: 'Etalab', x: 'Etalab', bluesky: 'etalab.gouv.fr', mastodon: 'etalab@mastodon.social' },
      queries: {
        x: ['#OGP'],
        bluesky: ['#OGP'],
        mastodon: { tags: ['OGP'], instances: ['mastodon.social', 'http://127.0.0.1:4200/'] },
      },
      watchlist: [{ name: 'Data Org', bluesky: 'data.example.org' }, 'Peer_1'],
      schedule: { live: '*/5 * * * *' },
      alerts: {
        webhook: 'https://hooks.example.org/T0/B0/secret',
        language: 'fr',
        rank: ['posts', 'mentions'],
      },
      budget: { monthly_usd: 49.99 },
    },
  };

  test.each(Object.entries(files))('%s', (_name, source) => {
    const file = parseCampaignFile(JSON.stringify(source), 'campaign.json');
    const yaml = campaignFileYaml(file);
    expect(parseCampaignFile(yaml, 'campaign.yaml')).toEqual(file);
    // Instants as the campaign's people write them, in its timezone.
    expect(yaml).toContain(`start: ${source.window.start}`);
    expect(yaml).toContain(`end: ${source.window.end}`);
  });
});
