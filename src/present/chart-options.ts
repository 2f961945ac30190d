import type { ChartConfiguration, ChartDataset } from 'chart.js';
import { formatDay, formatNumber, formatTick } from './format.ts';
import { dictionaries, type Lang } from './i18n.ts';

/**
 * The look of the time charts, shared by the browser (dashboard/client/charts.ts) and the PNG
 * exports rendered on the server (src/export/png.ts): same colours, axes and gaps. Type-only use of
 * Chart.js here, so that each side registers only the parts it draws with.
 */

const hour = 3_600_000;
const day = 24 * hour;

/** Okabe–Ito colours: told apart with the common colour-vision deficiencies, dark enough on white. */
export const palette = ['#1d5fa8', '#d55e00', '#009e73', '#cc79a7', '#7a5c00', '#56b4e9', '#000000'];

/** `imported`: a follower reading from a file (`tracker import followers`), said so in the tooltip */
export type Point = { x: number; y: number | null; imported?: true };

export interface Series {
  label: string;
  points: { at: string; value: number | null; source?: 'collected' | 'imported' }[];
  color?: string;
  /** drawn thicker and filled: the home account */
  emphasis?: boolean;
}

export interface TimeChartOptions {
  lang: Lang;
  timeZone: string;
  from: string;
  to: string;
  interval: 'hour' | 'day';
  kind?: 'line' | 'bar';
  /** a rank: 1 at the top, whole numbers, steps between hours */
  rank?: boolean;
  legend?: boolean;
}

export type TimeChartConfig = ChartConfiguration<'line' | 'bar', Point[]>;

/**
 * A chart over time. The x axis is linear over epoch milliseconds, labelled in the campaign's
 * timezone by Intl: no date adapter, and the axis reads in the event's local time.
 */
export function timeChartConfig(options: TimeChartOptions): TimeChartConfig {
  const { lang, timeZone } = options;
  const from = Date.parse(options.from);
  const to = Date.parse(options.to);
  const stepSize = tickStep(to - from, options.interval);
  const label = (ms: number) => timeLabel(options, ms);
  return {
    type: options.kind ?? 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: options.interval === 'day' ? from - day / 2 : from,
          max: options.interval === 'day' ? to - day / 2 : to,
          afterBuildTicks: (axis) => {
            axis.ticks = localTicks(axis.min, axis.max, stepSize, timeZone).map((value) => ({ value }));
          },
          ticks: {
            includeBounds: false,
            maxRotation: 0,
            autoSkipPadding: 12,
            callback: (value) => label(Number(value)),
          },
        },
        y: {
          reverse: options.rank === true,
          beginAtZero: options.rank !== true,
          ...(options.rank ? { min: 1 } : {}),
          ticks: {
            precision: 0,
            callback: (value) => formatNumber(lang, Number(value)),
          },
        },
      },
      plugins: {
        legend: {
          display: options.legend === true,
          position: 'bottom',
          labels: { boxWidth: 14, boxHeight: 2 },
        },
        tooltip: {
          callbacks: {
            title: (items) => label(items[0]?.parsed.x ?? 0),
            label: (item) =>
              `${item.dataset.label ? `${item.dataset.label}: ` : ''}${formatNumber(lang, item.parsed.y ?? 0)}${
                (item.raw as Point).imported ? ` (${dictionaries[lang].importedReading})` : ''
              }`,
          },
        },
      },
    },
  };
}

/** A point of the x axis as the chart labels it: the day, or the day and hour, in the campaign's timezone. */
export function timeLabel(options: Pick<TimeChartOptions, 'lang' | 'timeZone' | 'interval'>, ms: number) {
  return options.interval === 'day'
    ? formatDay(options.lang, options.timeZone, new Date(ms))
    : formatTick(options.lang, options.timeZone, new Date(ms));
}

/** The chart's datasets; buckets without data stay gaps, never zeros. */
export function timeDatasets(
  series: Series[],
  options: Pick<TimeChartOptions, 'interval' | 'rank' | 'kind'>,
): Array<ChartDataset<'line' | 'bar', Point[]>> {
  const step = options.interval === 'day' ? day : hour;
  const bar = options.kind === 'bar';
  return series.map((one, index): ChartDataset<'line' | 'bar', Point[]> => {
    const color = one.color ?? palette[index % palette.length] ?? '#1d5fa8';
    const data = withGaps(one.points, step);
    // A reading between two gaps has no line to sit on: it shows as a dot.
    const isolated = data.map(
      (point, i) => point.y !== null && data[i - 1]?.y == null && data[i + 1]?.y == null,
    );
    return {
      label: one.label,
      data,
      borderColor: color,
      backgroundColor: bar ? `${color}cc` : one.emphasis && !options.rank ? `${color}1f` : color,
      fill: one.emphasis === true && !bar && !options.rank,
      pointRadius: isolated.map((alone) => (alone ? 3 : 0)),
      pointBackgroundColor: color,
      pointHitRadius: 6,
      borderWidth: bar ? 0 : one.emphasis ? 3 : 2,
      spanGaps: false,
      // Straight segments: a Bézier curve overshoots between readings (a follower line would dip
      // below 0 or above its peak), drawing values that were never read.
      tension: 0,
      ...(options.rank ? { stepped: 'middle' as const } : {}),
    };
  });
}

/** The points, with a null where a bucket is missing, so that the line breaks there. */
export function withGaps(points: Series['points'], step: number): Point[] {
  const out: Point[] = [];
  let previous: number | undefined;
  for (const point of points) {
    const x = Date.parse(point.at);
    // 1.5 steps: a day of 23 or 25 hours (DST) is still one day.
    if (previous !== undefined && x - previous > step * 1.5) out.push({ x: previous + step, y: null });
    out.push(point.source === 'imported' ? { x, y: point.value, imported: true } : { x, y: point.value });
    previous = x;
  }
  return out;
}

/**
 * Ticks on whole local hours or days of the campaign's timezone (Chart.js would put them on UTC
 * multiples: 01:00, 07:00… in Paris).
 */
function localTicks(min: number, max: number, step: number, timeZone: string): number[] {
  const ticks: number[] = [];
  let local = Math.ceil((min + offsetMs(timeZone, min)) / step) * step;
  for (let guard = 0; guard < 200; guard++, local += step) {
    const at = local - offsetMs(timeZone, local);
    if (at > max) break;
    if (at >= min) ticks.push(at);
  }
  return ticks;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The timezone's offset from UTC at an instant (`GMT+01:00` → 3,600,000). */
function offsetMs(timeZone: string, at: number): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -minutes : minutes) * 60_000;
}

/** Whole hours or days, about six ticks across the window. */
function tickStep(span: number, interval: 'hour' | 'day'): number {
  if (interval === 'day') return Math.max(1, Math.ceil(span / day / 8)) * day;
  const hours = [1, 2, 3, 6, 12, 24, 48, 168].find((step) => span / (step * hour) <= 8) ?? 168;
  return hours * hour;
}

/**
 * Decision (issue 15): follower charts draw each account's growth since the window's start, not
 * its follower count. On one count axis a home account of ~500 followers is a flat line under
 * peers of 18,000, and the growth the team celebrates is invisible; a second axis for the home
 * account would put two scales on one picture that readers compare as one. Followers gained is
 * the `follower_growth` metric (docs/METRICS.md) drawn over time: the lines start at 0, and a
 * small account's +318 stands next to a large one's +500 on the same honest scale (a percentage
 * would turn a gain of 3 on 2 followers into the tallest line). The count itself stays in the
 * legend: "@OpenData_Forum (512)". The live page, the PNG export and the PDF report all draw it.
 *
 * The baseline is the growth metric's start reading where the caller has it (the exports read it
 * with the leaderboard), else the first reading drawn (the live page's series).
 */
export function followerGrowthSeries(
  lang: Lang,
  accounts: Array<{
    username: string;
    points: { at: string; value: number | null }[];
    start?: number | null | undefined;
    emphasis?: boolean;
  }>,
): Series[] {
  return accounts.map((account) => {
    const readings = account.points.filter((point) => point.value !== null);
    const baseline = account.start ?? readings[0]?.value ?? null;
    const latest = readings.at(-1)?.value;
    return {
      label:
        latest === undefined || latest === null
          ? `@${account.username}`
          : `@${account.username} (${formatNumber(lang, latest)})`,
      ...(account.emphasis ? { emphasis: true } : {}),
      points: account.points.map((point) => ({
        at: point.at,
        value: point.value === null || baseline === null ? null : point.value - baseline,
      })),
    };
  });
}
