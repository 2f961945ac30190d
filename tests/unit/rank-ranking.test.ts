import { describe, expect, test } from 'vitest';
import { rankRows, ValueCounts } from '../../src/rank/ranking.ts';
import { planFor, strategyFor } from '../../src/rank/windows.ts';

const row = (username: string, value: number, accountId = username) => ({ accountId, username, value });

describe('standard competition ranking', () => {
  test.each([
    ['no rows', [], []],
    ['one row', [row('a', 3)], [[1, 'a']]],
    [
      'distinct values',
      [row('b', 1), row('a', 2), row('c', 3)],
      [
        [1, 'c'],
        [2, 'a'],
        [3, 'b'],
      ],
    ],
    [
      'a tie in the middle: 1, 2, 2, 4',
      [row('d', 1), row('carol', 4), row('Bob', 4), row('alice', 5)],
      [
        [1, 'alice'],
        [2, 'Bob'],
        [2, 'carol'],
        [4, 'd'],
      ],
    ],
    [
      'everyone tied',
      [row('b', 2), row('a', 2), row('c', 2)],
      [
        [1, 'a'],
        [1, 'b'],
        [1, 'c'],
      ],
    ],
    [
      'ties listed by username, case-insensitively, in code-unit order (_ before letters)',
      [row('a_b', 1), row('AB', 1), row('aa', 1)],
      [
        [1, 'a_b'],
        [1, 'aa'],
        [1, 'AB'],
      ],
    ],
    [
      'same username (a reused handle): by id, numerically',
      [row('x', 1, '100'), row('x', 1, '99')],
      [
        [1, '99'],
        [1, '100'],
      ],
    ],
    [
      'negative and fractional values (growth)',
      [row('a', -2), row('b', 0.5), row('c', 0)],
      [
        [1, 'b'],
        [2, 'c'],
        [3, 'a'],
      ],
    ],
  ])('%s', (_name, rows, expected) => {
    expect(
      rankRows(rows).map((ranked) => [
        ranked.rank,
        ranked.username === 'x' ? ranked.accountId : ranked.username,
      ]),
    ).toEqual(expected);
  });
});

describe('counting values above a value', () => {
  const counts = new ValueCounts([
    { value: 10, count: 1 },
    { value: 7, count: 2 },
    { value: 3, count: 4 },
    { value: 7, count: 1 },
  ]);
  test.each([
    [11, 0],
    [10, 0],
    [9, 1],
    [7, 1],
    [6, 4],
    [3, 4],
    [2, 8],
    [-1, 8],
  ])('above %d: %d', (value, above) => {
    expect(counts.countAbove(value)).toBe(above);
  });

  test('empty', () => {
    expect(new ValueCounts([]).countAbove(0)).toBe(0);
  });
});

describe('how a window is read', () => {
  const campaign = {
    id: 1,
    timezone: 'Europe/Paris',
    window_start: new Date('2016-12-06T23:00:00Z'),
    window_end: new Date('2016-12-09T23:00:00Z'),
  };
  test.each([
    ['the campaign window', '2016-12-06T23:00:00Z', '2016-12-09T23:00:00Z', 'totals'],
    ['most of it', '2016-12-07T01:00:00Z', '2016-12-09T20:00:00Z', 'difference'],
    ['up to now, late in the event', '2016-12-06T23:00:00Z', '2016-12-09T12:00:00Z', 'difference'],
    ['one day of it', '2016-12-07T23:00:00Z', '2016-12-08T23:00:00Z', 'sum'],
    ['wider than it', '2016-12-06T00:00:00Z', '2016-12-09T23:00:00Z', 'sum'],
    ['outside it', '2016-12-01T00:00:00Z', '2016-12-02T00:00:00Z', 'sum'],
  ])('%s: %s', (_name, from, to, strategy) => {
    expect(strategyFor(campaign, { from: new Date(from), to: new Date(to) })).toBe(strategy);
  });

  // A whole local day is read from its rows of the daily rollups as they are kept.
  test.each([
    ['a day of the event', '2016-12-07T23:00:00Z', '2016-12-08T23:00:00Z', true],
    ['the 25-hour day of the autumn change', '2016-10-29T22:00:00Z', '2016-10-30T23:00:00Z', true],
    ['its first 24 hours', '2016-10-29T22:00:00Z', '2016-10-30T22:00:00Z', false],
    ['the 23-hour day of the spring change', '2017-03-25T23:00:00Z', '2017-03-26T22:00:00Z', true],
    ['two days', '2016-12-06T23:00:00Z', '2016-12-08T23:00:00Z', false],
    ['a day in UTC', '2016-12-08T00:00:00Z', '2016-12-09T00:00:00Z', false],
  ])('%s: one day, %s', (_name, from, to, oneDay) => {
    const window = { from: new Date(from), to: new Date(to) };
    const plan = planFor(campaign, window);
    const day = plan.strategy === 'sum' && plan.window.oneDay ? plan.window.from : undefined;
    expect(day).toEqual(oneDay ? window.from : undefined);
  });

  // So is a whole day that a window leaves out of the campaign's.
  test.each([
    ['the first two days', '2016-12-06T23:00:00Z', '2016-12-08T23:00:00Z', ['2016-12-08T23:00:00.000Z']],
    ['the last two days', '2016-12-07T23:00:00Z', '2016-12-09T23:00:00Z', ['2016-12-06T23:00:00.000Z']],
    ['most of it', '2016-12-07T01:00:00Z', '2016-12-09T20:00:00Z', [undefined, undefined]],
    ['up to a day and an hour before its end', '2016-12-06T23:00:00Z', '2016-12-08T22:00:00Z', [undefined]],
  ])('%s: days left out', (_name, from, to, days) => {
    const plan = planFor(campaign, { from: new Date(from), to: new Date(to) });
    expect(plan.strategy).toBe('difference');
    const leftOut = plan.strategy === 'difference' ? plan.leftOut : [];
    expect(leftOut.map((span) => (span.oneDay ? span.from.toISOString() : undefined))).toEqual(days);
  });
});
