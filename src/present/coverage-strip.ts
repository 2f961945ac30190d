import type { Dictionary } from './i18n.ts';

/**
 * The coverage record (src/rank/coverage.ts, `GET /api/v1/campaigns/:slug/coverage`) as a strip of
 * the window's hours, coloured by how complete collection was, with the reason in words: the live
 * page's strip (dashboard/views/coverage-strip.tsx) and the PDF report's (src/export/pdf-report.ts)
 * read the same states, colours and reasons. Bundled into the browser too: no Node imports.
 */

/**
 * - `complete`: live polling covered the hour, no run of the hour stopped short;
 * - `afterwards`: collected after the fact, by the walk back through earlier posts;
 * - `partial`: collected, but a run of the hour stopped on X's rate limit, failed, or was held
 *   back by the budget, so posts of the hour may be missing;
 * - `missing`: not collected (not yet, or older than recent search reaches).
 */
export const stripStates = ['complete', 'afterwards', 'partial', 'missing'] as const;
export type StripState = (typeof stripStates)[number];

/** Okabe–Ito colours (as the charts), told apart with the common colour-vision deficiencies. */
export const stripColors: Record<StripState, string> = {
  complete: '#009e73',
  afterwards: '#56b4e9',
  partial: '#e69f00',
  missing: '#9aa3ad',
};

/** The fields of a coverage hour the strip reads (the JSON's and the record's alike). */
export interface HourRecord {
  collection: string;
  rateLimited: number;
  failed: number;
  budgetPaused: number;
}

const missing = new Set(['pending', 'not_collected', 'beyond_reach']);

export function stripState(hour: HourRecord): StripState {
  if (missing.has(hour.collection)) return 'missing';
  if (hour.rateLimited > 0 || hour.failed > 0 || hour.budgetPaused > 0) return 'partial';
  return hour.collection === 'backfilled' ? 'afterwards' : 'complete';
}

/** Why the hour has its colour, in words: "collected live; paused on X's rate limit". */
export function hourReason(t: Dictionary, hour: HourRecord): string {
  const words = t.coverage;
  return [
    words.collection[hour.collection] ?? hour.collection,
    hour.rateLimited > 0 ? words.rateLimited : undefined,
    hour.failed > 0 ? words.failed : undefined,
    hour.budgetPaused > 0 ? words.budget : undefined,
  ]
    .filter((reason): reason is string => reason !== undefined)
    .join('; ');
}

export interface StripRun<T> {
  first: T;
  last: T;
  hours: number;
  state: StripState;
  reason: string;
}

/**
 * Consecutive hours with the same colour and reason, as one run: the strip's text alternative and
 * the report's list say "8 Dec 09:00 to 11:00: collected live; paused on X's rate limit" once.
 */
export function stripRuns<T extends HourRecord>(t: Dictionary, hours: readonly T[]): StripRun<T>[] {
  const runs: StripRun<T>[] = [];
  for (const hour of hours) {
    const state = stripState(hour);
    const reason = hourReason(t, hour);
    const last = runs.at(-1);
    if (last && last.state === state && last.reason === reason) {
      last.last = hour;
      last.hours += 1;
    } else runs.push({ first: hour, last: hour, hours: 1, state, reason });
  }
  return runs;
}
