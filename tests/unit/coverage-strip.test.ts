import { describe, expect, test } from 'vitest';
import { type HourRecord, stripRuns, stripState } from '../../src/present/coverage-strip.ts';
import { dictionaries } from '../../src/present/i18n.ts';

const hour = (collection: string, problems: Partial<HourRecord> = {}): HourRecord => ({
  collection,
  rateLimited: 0,
  failed: 0,
  budgetPaused: 0,
  ...problems,
});

describe('stripState', () => {
  test.each([
    ['polled, nothing wrong', hour('polled'), 'complete'],
    ['walked back', hour('backfilled'), 'afterwards'],
    ['polled, one run rate-limited', hour('polled', { rateLimited: 1 }), 'partial'],
    ['walked back, a run failed', hour('backfilled', { failed: 2 }), 'partial'],
    ['held back by the budget', hour('polled', { budgetPaused: 1 }), 'partial'],
    ['walk back not there yet', hour('pending'), 'missing'],
    ['older than 7 days, with a failed run too', hour('beyond_reach', { failed: 1 }), 'missing'],
    ['no search yet', hour('not_collected'), 'missing'],
  ])('%s', (_name, record, state) => {
    expect(stripState(record)).toBe(state);
  });
});

describe('stripRuns', () => {
  const t = dictionaries.en;

  test('consecutive hours with the same colour and reason are one run', () => {
    const hours = [
      { at: 0, ...hour('polled') },
      { at: 1, ...hour('polled') },
      { at: 2, ...hour('polled', { rateLimited: 1 }) },
      { at: 3, ...hour('polled', { rateLimited: 3 }) },
      { at: 4, ...hour('polled', { failed: 1 }) },
      { at: 5, ...hour('polled') },
    ];
    expect(
      stripRuns(t, hours).map((run) => [run.first.at, run.last.at, run.hours, run.state, run.reason]),
    ).toEqual([
      [0, 1, 2, 'complete', 'collected live'],
      [2, 3, 2, 'partial', "collected live; searches paused on X's rate limit"],
      [4, 4, 1, 'partial', 'collected live; collection runs failed'],
      [5, 5, 1, 'complete', 'collected live'],
    ]);
  });

  test('no hours, no runs; French reasons', () => {
    expect(stripRuns(t, [])).toEqual([]);
    expect(stripRuns(dictionaries.fr, [hour('pending')])[0]?.reason).toBe(
      'le rattrapage n’a pas encore atteint cette heure',
    );
  });
});
