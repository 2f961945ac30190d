import { describe, expect, it } from 'vitest';
import { timeDatasets, withGaps } from '../../src/present/chart-options.ts';

const hour = 3_600_000;

describe('timeDatasets', () => {
  const points = [
    { at: '2026-06-01T10:00:00Z', value: 0 },
    { at: '2026-06-01T11:00:00Z', value: 500 },
    { at: '2026-06-01T12:00:00Z', value: 0 },
  ];

  it('draws lines straight between readings, never a curve that overshoots them', () => {
    for (const rank of [false, true]) {
      const [dataset] = timeDatasets([{ label: '@OpenData_Forum', points, emphasis: true }], {
        interval: 'hour',
        rank,
      });
      expect(dataset).toMatchObject({ tension: 0, spanGaps: false });
      expect('cubicInterpolationMode' in (dataset ?? {})).toBe(false);
    }
  });

  it('leaves a missing hour as a gap, never a zero', () => {
    const data = withGaps(
      [
        { at: '2026-06-01T10:00:00Z', value: 3 },
        { at: '2026-06-01T13:00:00Z', value: 4 },
      ],
      hour,
    );
    expect(data.map((point) => point.y)).toEqual([3, null, 4]);
  });
});
