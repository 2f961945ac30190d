import type { Lang } from '../../src/present/i18n.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import {
  downloadPng,
  type Series,
  setSeries,
  type TimeChart,
  type TimeChartOptions,
  timeChart,
} from './charts.ts';

/**
 * A chart of a page (`ChartFigure` in the views): its canvas, its "not available / no data" note
 * and its PNG button.
 */
export interface ChartPanel {
  show(series: Series[]): void;
  /** the API does not offer this chart's data yet */
  unavailable(): void;
  setTitle(title: string): void;
}

export function chartPanel(
  name: string,
  options: TimeChartOptions & { fileName: string },
): ChartPanel | undefined {
  const canvas = document.getElementById(`${name}-chart`);
  if (!(canvas instanceof HTMLCanvasElement)) return undefined;
  const t = dictionaries[options.lang as Lang];
  const note = document.getElementById(`${name}-note`);
  const title = document.getElementById(`${name}-title`);
  const button = document.querySelector<HTMLButtonElement>(`button.png[data-chart="${name}"]`);
  const chart: TimeChart = timeChart(canvas, options);
  const setNote = (text: string | null) => {
    if (!note) return;
    note.hidden = text === null;
    note.textContent = text ?? '';
  };
  button?.addEventListener('click', () =>
    downloadPng(chart, title?.textContent ?? name, `${options.fileName}-${name}.png`),
  );
  return {
    show(series) {
      setSeries(chart, series, options);
      const empty = series.every((one) => one.points.length === 0);
      setNote(empty ? t.chartEmpty : null);
      if (button) button.disabled = empty;
    },
    unavailable() {
      setSeries(chart, [], options);
      setNote(t.chartUnavailable);
      if (button) button.disabled = true;
    },
    setTitle(text) {
      if (title) title.textContent = text;
    },
  };
}
