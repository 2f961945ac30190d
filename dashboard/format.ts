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
