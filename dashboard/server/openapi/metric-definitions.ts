import { readFileSync } from 'node:fs';
import { type Metric, metrics } from '../../../src/rank/metrics.ts';

/**
 * The leaderboard metrics' definitions as docs/METRICS.md states them (its table "The leaderboard
 * metrics"), read from that file so that the OpenAPI document never carries a second copy. The
 * build copies the file to dist/docs/, at the same path relative to this module.
 */
const metricsDoc = new URL('../../../docs/METRICS.md', import.meta.url);

/** `| **follower growth (%)** | that growth as … |` names the metric by its label. */
const tableRow = /^\|\s*\*\*([^*]+)\*\*\s*\|\s*(.+?)\s*\|\s*$/;

/** The label of the table (`follower growth (%)`) as the API names the metric (`follower_growth_pct`). */
const metricOfLabel = (label: string) => label.trim().replace(' (%)', '_pct').replaceAll(' ', '_');

export function metricDefinitions(markdown = readFileSync(metricsDoc, 'utf8')): Record<Metric, string> {
  const found = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const row = tableRow.exec(line);
    if (row?.[1] && row[2]) found.set(metricOfLabel(row[1]), row[2]);
  }
  const definitions = {} as Record<Metric, string>;
  for (const metric of metrics) {
    const definition = found.get(metric);
    if (!definition) throw new Error(`docs/METRICS.md defines no metric "${metric}" in its table`);
    definitions[metric] = definition;
  }
  return definitions;
}
