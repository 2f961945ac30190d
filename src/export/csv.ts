import { flatColumns, type Table } from './table.ts';

/**
 * CSV for spreadsheets (RFC 4180 with Excel's habits): UTF-8 with a byte-order mark (Excel reads
 * UTF-8 without it as the local code page), CRLF between records, quotes around any cell with a
 * comma, a quote or a line break (line breaks inside a post stay inside its cell).
 */

export const bom = '\uFEFF';

/** Characters a spreadsheet takes as the start of a formula (OWASP "CSV injection"). */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A text that a spreadsheet would run as a formula, made inert by a leading apostrophe (OWASP's
 * advice): `@OpenData_Forum` reads `'@OpenData_Forum`, still readable, never a formula. Numbers
 * are written as numbers and never pass here, so `-12` stays a number.
 */
export function neutralise(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

/** One cell: quoted when it holds a separator, a quote or a line break. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRecord(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * The CSV of a table, chunk by chunk as its rows arrive (bounded memory for any number of rows):
 * the BOM and header, then one record per row. Free text (names, post texts) is neutralised;
 * numbers, ids and dates are ours and written as such.
 */
export async function* csvChunks(table: Table, timezone: string): AsyncGenerator<string> {
  const columns = flatColumns(table.columns, timezone);
  yield bom + csvRecord(columns.map((column) => neutralise(column.header)));
  let chunk = '';
  for await (const row of table.rows) {
    chunk += csvRecord(
      columns.map((column) => (column.free ? neutralise(column.text(row)) : column.text(row))),
    );
    // Fewer, larger writes: one per few hundred rows.
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
