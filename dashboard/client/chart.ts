import { Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { SeriesJson } from '../contract.ts';
import { formatNumber, formatTick } from '../format.ts';
import type { Lang } from '../i18n.ts';

// Only what a line chart needs: the bundle stays small.
Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip);

const hour = 3_600_000;

type Point = { x: number; y: number };
export type FollowerChart = Chart<'line', Point[]>;

/**
 * Followers over time. The x axis is linear over epoch milliseconds, labelled in the campaign's
 * timezone by Intl: no date adapter to bundle.
 */
export function followerChart(
  canvas: HTMLCanvasElement,
  series: SeriesJson,
  lang: Lang,
  timeZone: string,
): FollowerChart {
  const from = Date.parse(series.from);
  const to = Date.parse(series.to);
  return new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          data: points(series),
          borderColor: '#1d5fa8',
          backgroundColor: 'rgba(29, 95, 168, 0.12)',
          fill: true,
          pointRadius: 0,
          pointHitRadius: 6,
          borderWidth: 2,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: from,
          max: to,
          ticks: {
            stepSize: tickStep(to - from),
            includeBounds: false,
            maxRotation: 0,
            callback: (value) => formatTick(lang, timeZone, new Date(Number(value))),
          },
        },
        y: { ticks: { callback: (value) => formatNumber(lang, Number(value)) } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => formatTick(lang, timeZone, new Date(items[0]?.parsed.x ?? 0)),
            label: (item) => formatNumber(lang, item.parsed.y ?? 0),
          },
        },
      },
    },
  });
}

export function updateFollowerChart(chart: FollowerChart, series: SeriesJson): void {
  const dataset = chart.data.datasets[0];
  if (!dataset) return;
  dataset.data = points(series);
  chart.update('none');
}

function points(series: SeriesJson): Point[] {
  return series.points.map((point) => ({ x: Date.parse(point.at), y: point.value }));
}

/** Whole hours, about six ticks across the window. */
function tickStep(span: number): number {
  const hours = [1, 2, 3, 6, 12, 24, 48, 168].find((step) => span / (step * hour) <= 8) ?? 168;
  return hours * hour;
}
