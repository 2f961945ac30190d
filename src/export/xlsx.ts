import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Column, Row, Table, Value } from './table.ts';
import { wallClock } from './table.ts';

/**
 * Workbooks written with exceljs's streaming writer: each row is committed (serialised and let go)
 * as it comes, so a workbook of millions of posts takes no more memory than one page of them.
 * Typed cells: numbers as numbers, ids as text, instants as dates — in the campaign's timezone and
 * in UTC. Strings are always string cells: exceljs makes a formula only from `{ formula }`, so a
 * username or a post that starts with `=` or `@` stays text.
 */

const dateFormat = 'yyyy-mm-dd hh:mm:ss';

interface SheetColumn {
  header: string;
  width: number;
  numFmt?: string;
  cell(row: Row): ExcelJS.CellValue;
}

function sheetColumns(columns: readonly Column[], timezone: string): SheetColumn[] {
  return columns.flatMap((column): SheetColumn[] => {
    const width = column.width ?? Math.max(10, column.header.length + 2);
    const value = (row: Row): Value => row[column.key];
    if (column.type === 'instant') {
      const instant = (row: Row) => {
        const at = value(row);
        return at instanceof Date ? at : null;
      };
      return [
        {
          header: `${column.header} (${timezone})`,
          width: Math.max(width, 20),
          numFmt: dateFormat,
          cell: (row) => {
            const at = instant(row);
            return at ? wallClock(at, timezone) : null;
          },
        },
        { header: `${column.header} (UTC)`, width: 20, numFmt: dateFormat, cell: (row) => instant(row) },
      ];
    }
    return [
      {
        header: column.header,
        width,
        ...(column.type === 'number' ? { numFmt: '0.##' } : {}),
        ...(column.type === 'integer' ? { numFmt: '0' } : {}),
        ...(column.type === 'id' ? { numFmt: '@' } : {}),
        cell: (row) => {
          const v = value(row);
          if (v === null || v === undefined) return null;
          if (column.type === 'id') return String(v);
          // XML turns a carriage return into a line feed: write line breaks as LF from the start.
          if (column.type === 'text') return String(v).replace(/\r\n?/g, '\n');
          return v;
        },
      },
    ];
  });
}

/** Writes the tables, one sheet each, to `out` (not ended: exceljs ends it when the workbook is done). */
export async function writeWorkbook(
  out: Writable,
  tables: readonly Table[],
  timezone: string,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'campaign-tracker';
  for (const table of tables) {
    const columns = sheetColumns(table.columns, timezone);
    const sheet = workbook.addWorksheet(sheetName(table.name), {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = columns.map((column, index) => ({
      key: String(index),
      header: column.header,
      width: column.width,
      ...(column.numFmt ? { style: { numFmt: column.numFmt } } : {}),
    }));
    sheet.getRow(1).font = { bold: true };
    for await (const row of table.rows) {
      sheet.addRow(columns.map((column) => column.cell(row))).commit();
    }
    sheet.commit();
  }
  await workbook.commit();
}

/** Excel's rules for sheet names: 31 characters, none of `[]:*?/\`. */
function sheetName(name: string): string {
  return name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
}
