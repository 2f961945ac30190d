import { describe, expect, test } from 'vitest';
import type { RankedRowJson } from '../../dashboard/api-contract.ts';
import {
  LeaderboardRow,
  type LeaderboardRowProps,
  pinnedRows,
} from '../../dashboard/views/leaderboard-table.tsx';

/**
 * The leaderboard row as the server renders it (hono/jsx), for each of its props; the browser
 * renders the same component (tests/e2e/browser-dashboard.test.ts compares the two).
 */

const alice: RankedRowJson = {
  rank: 2,
  accountId: '1',
  network: 'x',
  username: 'alice',
  name: 'Alice Martin',
  profileImageUrl: 'https://pbs.twimg.com/profile_images/1/a.jpg',
  value: 1234,
  isHome: false,
  entity: null,
  rankHourAgo: 3,
  rankDayStart: 3,
};
const home: RankedRowJson = { ...alice, accountId: '100', username: 'OpenData_Forum', isHome: true };
const base: LeaderboardRowProps = { lang: 'en', slug: 'ogp16', metric: 'posts', row: alice };

const html = async (props: LeaderboardRowProps) => String(await LeaderboardRow(props));

describe('LeaderboardRow', () => {
  test.each<[string, Partial<LeaderboardRowProps>, string[]]>([
    ['a plain row has no class', {}, ['<tr><td class="num">2</td>', 'width="28" height="28"']],
    ['the home account', { row: home }, ['<tr class="home">']],
    ['a row that rose, home', { row: home, highlight: 'rose' }, ['<tr class="home rose">']],
    ['a row that fell', { highlight: 'fell' }, ['<tr class="fell">']],
    ['size large', { size: 'large' }, ['<tr class="large">', 'width="56" height="56"']],
    ['movement up, for screen readers too', {}, ['class="move up"', 'visually-hidden']],
    ['French numbers', { lang: 'fr', metric: 'posts' }, ['1\u202f234', 'lang=fr']],
    [
      'the account link carries the slug and the language',
      {},
      ['href="/campaigns/ogp16/accounts/x/alice?lang=en"'],
    ],
  ])('%s', async (_, props, expected) => {
    const out = await html({ ...base, ...props });
    for (const part of expected) expect(out).toContain(part);
  });

  test('an entity row names the entity and its networks, links nowhere, escapes its name', async () => {
    const entity = { name: 'Etalab <b>', networks: ['x', 'bluesky'], handle: null };
    const out = await html({ ...base, row: { ...alice, username: entity.name, name: entity.name, entity } });
    expect(out).toContain('Etalab &lt;b&gt;');
    expect(out).toContain('X · Bluesky');
    expect(out).not.toContain('href=');
  });

  test.each([
    ['x', 'alice', 'X'],
    ['bluesky', 'alice.bsky.social', 'Bluesky'],
    ['mastodon', 'alice@mastodon.social', 'Mastodon'],
  ] as const)(
    'a %s account: its network named by its mark, linked on its network',
    async (network, handle, label) => {
      const out = await html({ ...base, row: { ...alice, network, username: handle } });
      expect(out).toContain(`role="img" aria-label="${label}"`);
      expect(out).toContain(
        `href="/campaigns/ogp16/accounts/${network}/${encodeURIComponent(handle)}?lang=en"`,
      );
      expect(out).toContain(`@${handle}`);
    },
  );

  test('an entity of one account links to it', async () => {
    const entity = { name: 'Alice', networks: ['x'], handle: 'alice' };
    const out = await html({ ...base, row: { ...alice, username: 'Alice', entity } });
    expect(out).toContain('href="/campaigns/ogp16/accounts/x/alice?lang=en"');
  });

  test('a name is text, never markup', async () => {
    const out = await html({ ...base, row: { ...alice, name: '<img src=x onerror=alert(1)>' } });
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toContain('<img src=x');
  });

  test('the avatar comes from our own origin, whatever the account says its image is', async () => {
    for (const profileImageUrl of [alice.profileImageUrl, 'javascript:alert(1)']) {
      const out = await html({ ...base, row: { ...alice, profileImageUrl } });
      expect(out).toMatch(/<img class="avatar-image" src="\/avatars\/1\?v=[0-9a-f]{8}"/);
      expect(out).not.toContain('pbs.twimg.com');
      expect(out).not.toContain('javascript:');
    }
  });

  test('an account without an image shows its initials', async () => {
    const out = await html({ ...base, row: { ...alice, profileImageUrl: null } });
    expect(out).toContain('<span class="avatar-initials" aria-hidden="true">AM</span>');
  });
});

describe('pinnedRows', () => {
  test.each<[string, RankedRowJson[], RankedRowJson | null, RankedRowJson[]]>([
    ['home among the rows: nothing pinned', [alice, home], home, []],
    ['home below the rows: pinned', [alice], home, [home]],
    ['no home row (not ranked)', [alice], null, []],
  ])('%s', (_, rows, homeRow, expected) => {
    expect(pinnedRows({ rows, home: homeRow })).toEqual(expected);
  });
});
