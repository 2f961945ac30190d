import { describe, expect, it } from 'vitest';
import {
  followerGrowthSeries,
  timeChartConfig,
  timeDatasets,
  withGaps,
} from '../../src/present/chart-options.ts';

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

  it('says in the tooltip which follower readings were imported from a file', () => {
    const config = timeChartConfig({
      lang: 'en',
      timeZone: 'UTC',
      from: '2026-06-01T00:00:00Z',
      to: '2026-06-03T00:00:00Z',
      interval: 'day',
    });
    const [dataset] = timeDatasets(
      [
        {
          label: '@OpenData_Forum',
          points: [
            { at: '2026-06-01T00:00:00Z', value: 480, source: 'imported' },
            { at: '2026-06-02T00:00:00Z', value: 512, source: 'collected' },
          ],
        },
      ],
      { interval: 'day' },
    );
    const label = config.options?.plugins?.tooltip?.callbacks?.label;
    const tooltip = (index: number) => {
      const point = dataset?.data[index];
      return label?.call({} as never, { dataset, raw: point, parsed: { x: point?.x, y: point?.y } } as never);
    };
    expect(tooltip(0)).toBe('@OpenData_Forum: 480 (imported from a file)');
    expect(tooltip(1)).toBe('@OpenData_Forum: 512');
  });
});

describe('followerGrowthSeries: followers gained since the start, the count in the legend', () => {
  const at = (hour: number) => new Date(Date.UTC(2016, 11, 7, hour)).toISOString();
  const small = [
    { at: at(0), value: 193 },
    { at: at(1), value: null },
    { at: at(2), value: 509 },
  ];
  const large = [
    { at: at(0), value: 18_408 },
    { at: at(2), value: 18_620 },
  ];

  it('from the start reading when given, else from the first reading drawn; gaps stay gaps', () => {
    const [home, peer] = followerGrowthSeries('en', [
      { username: 'OpenData_Forum', points: small, start: 190, emphasis: true },
      { username: 'Veltara_Open', points: large },
    ]);
    expect(home).toEqual({
      label: '@OpenData_Forum (509)',
      emphasis: true,
      points: [
        { at: at(0), value: 3 },
        { at: at(1), value: null },
        { at: at(2), value: 319 },
      ],
    });
    expect(peer?.label).toBe('@Veltara_Open (18,620)');
    expect(peer?.points.map((point) => point.value)).toEqual([0, 212]);
  });

  it('an account without a reading: its name alone, no line', () => {
    expect(followerGrowthSeries('fr', [{ username: 'quiet', points: [] }])).toEqual([
      { label: '@quiet', points: [] },
    ]);
  });
});
