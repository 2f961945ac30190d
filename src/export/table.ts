/**
 * The tables an export writes, described once and spelled per format: a column says what its
 * values are (text, an X id, a number, an instant), and CSV, XLSX and JSON each write that type
 * their way — ids always as text (a spreadsheet rounds 19-digit numbers), instants in UTC and in
 * the campaign's timezone.
 */

export type ColumnType = 'text' | 'id' | 'integer' | 'number' | 'instant' | 'boolean';

export interface Column {
  key: string;
  header: string;
  type: ColumnType;
  /** XLSX column width, in characters */
  width?: number;
}

export type Value = string | number | boolean | Date | null | undefined;
export type Row = Record<string, Value>;

export interface Table {
  /** sheet name in a workbook (31 characters at most, no `[]:*?/\`) */
  name: string;
  /** property of the JSON export holding the rows */
  key: string;
  columns: Column[];
  rows: AsyncIterable<Row> | Iterable<Row>;
}

/** A column as CSV writes it: instants become three (UTC, local date, local time). */
export interface FlatColumn {
  header: string;
  /** text written as is; `neutralise` marks free text (user-controlled) */
  text(row: Row): string;
  free: boolean;
}

const localFormats = new Map<string, Intl.DateTimeFormat>();

/** `{ date: 2016-12-07, time: 14:05:00 }` in the timezone (hourCycle h23: 00–23). */
export function localParts(at: Date, timezone: string): { date: string; time: string } {
  let format = localFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    localFormats.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

/**
 * The wall-clock time of the timezone as a Date whose UTC fields hold it: spreadsheets have no
 * timezones, so a cell shows the local time only if it is written as if it were UTC.
 */
export function wallClock(at: Date, timezone: string): Date {
  const { date, time } = localParts(at, timezone);
  return new Date(`${date}T${time}.${String(at.getUTCMilliseconds()).padStart(3, '0')}Z`);
}

/** `2016-12-07 13:05:00`: the UTC time as both spreadsheets read a date-time. */
export function utcText(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * An id written so that spreadsheets keep it as text: a leading tab (a number cell would round
 * `805734234567890123` to `805734234567890000`). The tab is invisible in a cell; programs reading
 * the CSV trim it (or read the JSON export, where ids are strings).
 */
export const idText = (id: string) => `\t${id}`;

/** The columns of a table as CSV spells them, in the campaign's timezone. */
export function flatColumns(columns: readonly Column[], timezone: string): FlatColumn[] {
  return columns.flatMap((column): FlatColumn[] => {
    const value = (row: Row) => row[column.key];
    if (column.type === 'instant') {
      const instant = (row: Row) => {
        const at = value(row);
        return at instanceof Date ? at : null;
      };
      return [
        { header: `${column.header} (UTC)`, free: false, text: (row) => textOr(instant(row), utcText) },
        {
          header: `${column.header}: local date (${timezone})`,
          free: false,
          text: (row) => textOr(instant(row), (at) => localParts(at, timezone).date),
        },
        {
          header: `${column.header}: local time (${timezone})`,
          free: false,
          text: (row) => textOr(instant(row), (at) => localParts(at, timezone).time),
        },
      ];
    }
    return [
      {
        header: column.header,
        free: column.type === 'text',
        text: (row) => {
          const v = value(row);
          if (v === null || v === undefined) return '';
          if (column.type === 'id') return idText(String(v));
          if (v instanceof Date) return utcText(v);
          return String(v);
        },
      },
    ];
  });
}

function textOr(at: Date | null, format: (at: Date) => string): string {
  return at ? format(at) : '';
}

/** A row as the JSON export writes it: instants in ISO 8601 (UTC), ids as strings, nulls kept. */
export function jsonRow(
  columns: readonly Column[],
  row: Row,
): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const column of columns) {
    const value = row[column.key];
    out[column.key] =
      value === undefined || value === null
        ? null
        : value instanceof Date
          ? value.toISOString()
          : column.type === 'id'
            ? String(value)
            : value;
  }
  return out;
}
