import { describe, expect, test } from 'vitest';
import { bucketsBetween, startOfDay, startOfHour } from '../../src/rank/calendar.ts';
import { movementEnds } from '../../src/rank/windows.ts';

const paris = 'Europe/Paris';
const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('days and hours of a timezone', () => {
  test.each([
    ['an ordinary winter day', '2016-12-08T15:00:00Z', paris, '2016-12-07T23:00:00.000Z'],
    ['just before midnight', '2016-12-08T22:59:59.999Z', paris, '2016-12-07T23:00:00.000Z'],
    ['midnight itself', '2016-12-08T23:00:00Z', paris, '2016-12-08T23:00:00.000Z'],
    ['the 25-hour day, before the change', '2016-10-30T00:30:00Z', paris, '2016-10-29T22:00:00.000Z'],
    ['the 25-hour day, after the change', '2016-10-30T22:30:00Z', paris, '2016-10-29T22:00:00.000Z'],
    ['the 23-hour day, after the change', '2017-03-26T21:59:00Z', paris, '2017-03-25T23:00:00.000Z'],
    ['a half-hour zone', '2016-12-08T20:00:00Z', 'Asia/Kolkata', '2016-12-08T18:30:00.000Z'],
    ['UTC', '2016-12-08T20:00:00Z', 'UTC', '2016-12-08T00:00:00.000Z'],
  ])('start of day: %s', (_name, instant, timezone, expected) => {
    expect(startOfDay(new Date(instant), timezone).toISOString()).toBe(expected);
  });

  test.each([
    ['the first 02:00 (summer time)', '2016-10-30T00:59:00Z', '2016-10-30T00:00:00.000Z'],
    ['the second 02:00 (winter time)', '2016-10-30T01:01:00Z', '2016-10-30T01:00:00.000Z'],
    ['03:00 right after the spring change', '2017-03-26T01:30:00Z', '2017-03-26T01:00:00.000Z'],
  ])('start of hour: %s', (_name, instant, expected) => {
    expect(startOfHour(new Date(instant), paris).toISOString()).toBe(expected);
  });

  test.each([
    ['the 25-hour day', '2016-10-29T22:00:00Z', '2016-10-30T23:00:00Z', 25],
    ['the 23-hour day', '2017-03-25T23:00:00Z', '2017-03-26T22:00:00Z', 23],
    ['a part of an hour on each side', '2016-12-08T10:30:00Z', '2016-12-08T12:15:00Z', 3],
    ['nothing', '2016-12-08T10:00:00Z', '2016-12-08T10:00:00Z', 0],
  ])('hours of %s', (_name, from, to, count) => {
    const hours = bucketsBetween(new Date(from), new Date(to), paris, 'hour');
    expect(hours).toHaveLength(count);
    expect(new Set(hours.map((h) => h.getTime())).size).toBe(count);
  });

  test('days across both changes of 2016–2017', () => {
    const days = bucketsBetween(
      new Date('2016-10-29T12:00:00Z'),
      new Date('2017-03-27T12:00:00Z'),
      paris,
      'day',
    );
    expect(days).toHaveLength(150);
    expect(days.slice(0, 3).map(iso)).toEqual([
      '2016-10-28T22:00:00.000Z',
      '2016-10-29T22:00:00.000Z',
      '2016-10-30T23:00:00.000Z',
    ]);
    expect(days.slice(-3).map(iso)).toEqual([
      '2017-03-24T23:00:00.000Z',
      '2017-03-25T23:00:00.000Z',
      '2017-03-26T22:00:00.000Z',
    ]);
  });
});

describe('movement references', () => {
  const campaign = { timezone: paris };
  const window = { from: new Date('2016-10-28T22:00:00Z'), to: new Date('2016-10-31T23:00:00Z') };
  test.each([
    [
      'after the event: the window end',
      '2016-11-05T00:00:00Z',
      '2016-10-31T22:00:00.000Z',
      '2016-10-30T23:00:00.000Z',
    ],
    [
      'live, in the repeated hour',
      '2016-10-30T01:40:00Z',
      '2016-10-30T00:40:00.000Z',
      '2016-10-29T22:00:00.000Z',
    ],
    [
      'live, just after midnight',
      '2016-10-30T23:20:00Z',
      '2016-10-30T22:20:00.000Z',
      '2016-10-30T23:00:00.000Z',
    ],
    [
      'live, at midnight: the day that ended',
      '2016-10-30T23:00:00Z',
      '2016-10-30T22:00:00.000Z',
      '2016-10-29T22:00:00.000Z',
    ],
    ['in the first hour: no earlier window', '2016-10-28T22:30:00Z', null, null],
    ['before the window', '2016-10-20T00:00:00Z', null, null],
  ])('%s', (_name, asOf, hourAgo, dayStart) => {
    const ends = movementEnds(campaign, window, new Date(asOf));
    expect([iso(ends.hourAgo), iso(ends.dayStart)]).toEqual([hourAgo, dayStart]);
  });
});
