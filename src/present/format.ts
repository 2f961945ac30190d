import { type Lang, locales } from './i18n.ts';

/** Number and date formatting for a language and the campaign's timezone; shared with the browser code. */

const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** `12 345` in French (narrow no-break space), `12,345` in English. */
export function formatNumber(lang: Lang, value: number): string {
  let format = numberFormats.get(lang);
  if (!format) {
    format = new Intl.NumberFormat(locales[lang]);
    numberFormats.set(lang, format);
  }
  return format.format(value);
}

/** A change with its sign: `+318`, `−12`, `0`. */
export function formatDelta(lang: Lang, value: number): string {
  return new Intl.NumberFormat(locales[lang], { signDisplay: 'exceptZero' }).format(value);
}

/** HH:MM:SS in the campaign's timezone. */
export function formatTime(lang: Lang, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** A chart tick: day and hour in the campaign's timezone (`8 Dec, 14:00`). */
export function formatTick(lang: Lang, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/**
 * The campaign window [start, end). A window of whole days reads as days (`7–9 December 2016`):
 * its exclusive end, midnight of the 10th, is not a day of the event.
 */
export function formatWindow(lang: Lang, timeZone: string, start: Date, end: Date): string {
  const wholeDays = isMidnight(timeZone, start) && isMidnight(timeZone, end);
  const format = new Intl.DateTimeFormat(
    locales[lang],
    wholeDays ? { timeZone, dateStyle: 'long' } : { timeZone, dateStyle: 'medium', timeStyle: 'short' },
  );
  return `${format.formatRange(start, wholeDays ? new Date(end.getTime() - 1) : end)} (${timeZone})`;
}

function isMidnight(timeZone: string, at: Date): boolean {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return time === '00:00:00';
}

/** A chart tick for daily points: the day in the campaign's timezone (`8 Dec`). */
export function formatDay(lang: Lang, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(locales[lang], { timeZone, day: 'numeric', month: 'short' }).format(at);
}

/** Date and time of day, for run logs and post dates (`8 Dec 2016, 14:02`). */
export function formatDateTime(lang: Lang, timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  }).format(at);
}

/**
 * A leaderboard value as its metric reads: growth with its sign, growth in % with one decimal
 * (the API sends percentage points: 12.5 is 12.5 %), the rest as whole numbers.
 */
export function formatMetricValue(lang: Lang, metric: string, value: number): string {
  if (metric === 'follower_growth') return formatDelta(lang, value);
  if (metric === 'follower_growth_pct') {
    return new Intl.NumberFormat(locales[lang], {
      style: 'percent',
      maximumFractionDigits: 1,
      signDisplay: 'exceptZero',
    }).format(value / 100);
  }
  return formatNumber(lang, value);
}

/** A run's duration: `850 ms`, `12 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
