/**
 * Hours and days of a campaign's timezone, from the IANA database that Intl carries. The rollups
 * key days with PostgreSQL's `date_trunc('day', t, zone)`; these agree with it (a test checks the
 * DST days of Europe/Paris).
 */

const hourMs = 3600_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timezone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(instant: number, timezone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatIn(timezone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Milliseconds the zone's wall clock is ahead of UTC at this instant. */
function offsetAt(instant: number, timezone: string): number {
  const t = localTime(instant, timezone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/** Start of the local day that contains `instant`. */
export function startOfDay(instant: Date, timezone: string): Date {
  const t = localTime(instant.getTime(), timezone);
  const midnightWall = Date.UTC(t.year, t.month - 1, t.day);
  // The offset at midnight may differ from the one at `instant` (a DST change during the day):
  // settle it from the candidate itself.
  let candidate = midnightWall - offsetAt(instant.getTime(), timezone);
  for (let i = 0; i < 2; i++) candidate = midnightWall - offsetAt(candidate, timezone);
  return new Date(candidate);
}

/** Start of the local hour that contains `instant` (the repeated hour of a DST end is two hours). */
export function startOfHour(instant: Date, timezone: string): Date {
  const t = localTime(instant.getTime(), timezone);
  const ms = ((instant.getTime() % 1000) + 1000) % 1000;
  return new Date(instant.getTime() - (t.minute * 60 + t.second) * 1000 - ms);
}

/** Starts of the local hours that overlap [from, to), in order. */
export function hoursBetween(from: Date, to: Date, timezone: string): Date[] {
  const hours: Date[] = [];
  for (let at = startOfHour(from, timezone); at < to; ) {
    hours.push(at);
    let next = startOfHour(new Date(at.getTime() + hourMs), timezone);
    // A zone whose offset moves by less than an hour can land back in the same hour.
    if (next <= at) next = startOfHour(new Date(at.getTime() + 2 * hourMs), timezone);
    at = next;
  }
  return hours;
}

/** Start of the local day after the one that contains `instant` (23- and 25-hour days included). */
export function startOfNextDay(instant: Date, timezone: string): Date {
  return startOfDay(new Date(startOfDay(instant, timezone).getTime() + 36 * hourMs), timezone);
}

/** Starts of the local days that overlap [from, to), in order. */
export function daysBetween(from: Date, to: Date, timezone: string): Date[] {
  const days: Date[] = [];
  for (let at = startOfDay(from, timezone); at < to; at = startOfNextDay(at, timezone)) days.push(at);
  return days;
}

/** Starts of the local hours or days that overlap [from, to). */
export function bucketsBetween(from: Date, to: Date, timezone: string, interval: 'hour' | 'day'): Date[] {
  return interval === 'hour' ? hoursBetween(from, to, timezone) : daysBetween(from, to, timezone);
}
