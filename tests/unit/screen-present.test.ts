import { describe, expect, test } from 'vitest';
import type { RankedRowJson } from '../../dashboard/api-contract.ts';
import { avatarSrc, avatarVersion, initialsOf } from '../../dashboard/views/present.ts';
import { networksOf, panelsFor, panelTitle } from '../../dashboard/views/screen-panels.tsx';

describe('initialsOf', () => {
  test.each([
    ['two words', 'Open Data Forum', 'odf', 'OD'],
    ['one word', 'Veltara', 'veltara', 'V'],
    ['accents kept', 'Élise Ørsted', 'elise', 'ÉØ'],
    ['punctuation skipped', '— Mairie de Paris —', 'paris', 'MD'],
    ['no letters: the username', '🎃 ✨', 'spooky', 'S'],
    ['markup is only letters', '<b>x</b>', 'x', 'BX'],
  ])('%s', (_, name, username, expected) => {
    expect(initialsOf(name, username)).toBe(expected);
  });
});

describe('avatarSrc', () => {
  test('an address on our origin that changes with the source URL', () => {
    const a = avatarSrc('42', 'https://pbs.twimg.com/a.jpg');
    const b = avatarSrc('42', 'https://pbs.twimg.com/b.jpg');
    expect(a).toBe(`/avatars/42?v=${avatarVersion('https://pbs.twimg.com/a.jpg')}`);
    expect(a).not.toBe(b);
    expect(avatarSrc('-7', 'x')).toMatch(/^\/avatars\/-7\?v=[0-9a-f]{8}$/);
  });

  test('no source: no image (initials)', () => {
    expect(avatarSrc('42', null)).toBeNull();
  });
});

const row = (network?: string) =>
  ({
    rank: 1,
    accountId: '1',
    username: 'a',
    name: 'A',
    profileImageUrl: null,
    value: 1,
    isHome: false,
    rankHourAgo: null,
    rankDayStart: null,
    ...(network ? { network } : {}),
  }) as RankedRowJson;

describe('the rotation of the big screen', () => {
  test.each([
    ['rows without a network are X’s: the four fixed panels', [row(), row()], 4, []],
    ['one network: no per-network panel', [row('bluesky'), row('bluesky')], 4, []],
    [
      'several networks: one panel each, in order of appearance',
      [row('x'), row('mastodon'), row('x'), row('bluesky')],
      7,
      [
        'On X: top accounts by posts',
        'On Mastodon: top accounts by posts',
        'On Bluesky: top accounts by posts',
      ],
    ],
  ])('%s', (_, rows, count, perNetwork) => {
    const panels = panelsFor(networksOf({ rows }));
    expect(panels).toHaveLength(count);
    expect(panels.slice(4).map((panel) => panelTitle('en', panel))).toEqual(perNetwork);
  });
});
