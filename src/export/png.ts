import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  BarController,
  BarElement,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Title,
} from 'chart.js';
import {
  type Series,
  type TimeChartOptions,
  timeChartConfig,
  timeDatasets,
} from '../present/chart-options.ts';
import { chartFontFamily, fontFiles } from './fonts.ts';

/**
 * Charts as PNG images, drawn on the server by Chart.js on @napi-rs/canvas with the dashboard's own
 * configuration (src/present/chart-options.ts): same colours, gaps and local-time axis, plus what a
 * picture in a report needs and a page shows around its canvas: a title, axis labels, a legend and
 * a white background. 1600×900: a 16:9 figure that stays sharp across an A4 page.
 */

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  LinearScale,
  Filler,
  Legend,
  Title,
);
// The npm package's DejaVu Sans, not the host's fonts: the same image on any machine.
GlobalFonts.registerFromPath(fontFiles.regular, chartFontFamily);
GlobalFonts.registerFromPath(fontFiles.bold, chartFontFamily);
Chart.defaults.font.family = chartFontFamily;

export const pngSize = { width: 1600, height: 900 };

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export interface PngChart extends TimeChartOptions {
  /** drawn above the chart; none when the page around it sets the title as text (the PDF report) */
  title?: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

/**
 * The chart as PNG bytes: laid out at `size` (1600×900 unless given), drawn at `scale` times as many
 * pixels (the PDF report draws 1000×500 at 2×: text sized for the page, sharp at ~290 dpi).
 */
export async function renderPng(chart: PngChart, size = pngSize, scale = 1): Promise<Buffer> {
  const canvas = createCanvas(size.width, size.height);
  const config = timeChartConfig({ ...chart, legend: true });
  config.data.datasets = timeDatasets(chart.series, chart);
  const options = config.options ?? {};
  const axis = (text: string) => ({ display: true, text, font: { size: 20 }, color: '#1c2430' });
  const rendered = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, {
    ...config,
    options: {
      ...options,
      responsive: false,
      devicePixelRatio: scale,
      font: { size: 18 },
      layout: { padding: 24 },
      scales: {
        x: {
          ...options.scales?.x,
          title: axis(chart.xLabel),
          ticks: { ...options.scales?.x?.ticks, font: { size: 16 } },
        },
        y: {
          ...options.scales?.y,
          title: axis(chart.yLabel),
          ticks: { ...options.scales?.y?.ticks, font: { size: 16 } },
        },
      },
      plugins: {
        ...options.plugins,
        title: {
          display: chart.title !== undefined,
          text: chart.title ?? '',
          font: { size: 28, weight: 'bold' },
          color: '#1c2430',
          padding: { bottom: 20 },
        },
        legend: {
          ...options.plugins?.legend,
          display: true,
          labels: { boxWidth: 28, boxHeight: 4, font: { size: 18 } },
        },
        tooltip: { enabled: false },
      },
    },
    plugins: [whiteBackground],
  });
  try {
    return await canvas.encode('png');
  } finally {
    rendered.destroy();
  }
}
