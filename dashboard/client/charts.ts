import {
  BarController,
  BarElement,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import {
  type Point,
  type Series,
  type TimeChartOptions,
  timeChartConfig,
  timeDatasets,
} from '../../src/present/chart-options.ts';

// Only what line and bar charts need: the bundle stays small.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  LinearScale,
  Filler,
  Tooltip,
  Legend,
);

export type { Series, TimeChartOptions } from '../../src/present/chart-options.ts';

export type TimeChart = Chart<'line' | 'bar', Point[]>;

/** A chart over time, configured as the PNG exports are (src/present/chart-options.ts). */
export function timeChart(canvas: HTMLCanvasElement, options: TimeChartOptions): TimeChart {
  return new Chart<'line' | 'bar', Point[]>(canvas, timeChartConfig(options));
}

/** Replaces the chart's series; buckets without data stay gaps, never zeros. */
export function setSeries(
  chart: TimeChart,
  series: Series[],
  options: Pick<TimeChartOptions, 'interval' | 'rank' | 'kind'>,
) {
  chart.data.datasets = timeDatasets(series, options);
  chart.update('none');
}

/**
 * Saves the chart as a PNG with its title on a white background (the canvas itself is
 * transparent), named after the campaign and the chart.
 */
export function downloadPng(chart: TimeChart, title: string, fileName: string): void {
  const source = chart.canvas;
  const scale = source.width / Math.max(1, source.clientWidth);
  const header = Math.round(36 * scale);
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height + header;
  const context = out.getContext('2d');
  if (!context) return;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, out.width, out.height);
  context.fillStyle = '#1c2430';
  context.font = `600 ${Math.round(16 * scale)}px system-ui, sans-serif`;
  context.textBaseline = 'middle';
  context.fillText(title, Math.round(8 * scale), header / 2, out.width - 16 * scale);
  context.drawImage(source, 0, header);
  out.toBlob((blob) => {
    if (!blob) return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = fileName;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, 'image/png');
}
