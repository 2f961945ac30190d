import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { bom, csvCell, csvChunks, neutralise } from '../../src/export/csv.ts';
import { localParts, type Table, wallClock } from '../../src/export/table.ts';

describe('neutralise: what a spreadsheet would run becomes inert text', () => {
  test.each([
    ['a username', '@OpenData_Forum', "'@OpenData_Forum"],
    ['a formula', '=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
    ['a plus', '+1+2', "'+1+2"],
    ['a minus', '-2+3', "'-2+3"],
    ['a tab', '\t=1', "'\t=1"],
    ['a carriage return', '\r=1', "'\r=1"],
    ['plain text', 'Great session #OGP16', 'Great session #OGP16'],
    ['an @ inside', 'thanks @etalab', 'thanks @etalab'],
    ['empty', '', ''],
  ])('%s', (_name, text, expected) => {
    expect(neutralise(text)).toBe(expected);
  });
});

describe('csvCell: quoted only when needed', () => {
  test.each([
    ['plain', 'abc', 'abc'],
    ['a comma', 'a,b', '"a,b"'],
    ['quotes', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'one\ntwo', '"one\ntwo"'],
    ['a CRLF', 'one\r\ntwo', '"one\r\ntwo"'],
  ])('%s', (_name, text, expected) => {
    expect(csvCell(text)).toBe(expected);
  });
});

describe('csvChunks', () => {
  const table: Table = {
    name: 'T',
    key: 'rows',
    columns: [
      { key: 'id', header: 'id', type: 'id' },
      { key: 'who', header: 'who', type: 'text' },
      { key: 'n', header: 'n', type: 'integer' },
      { key: 'at', header: 'at', type: 'instant' },
    ],
    rows: [
      { id: '805734234567890123', who: '@a', n: -12, at: new Date('2016-10-30T00:30:00Z') },
      { id: '2', who: 'x\ny', n: null, at: new Date('2016-10-30T01:30:00Z') },
    ],
  };

  test('BOM, header, typed cells; csv-parse reads back what was meant', async () => {
    let text = '';
    for await (const chunk of csvChunks(table, 'Europe/Paris')) text += chunk;
    expect(text.startsWith(bom)).toBe(true);
    const rows = parse(text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toEqual([
      {
        id: '\t805734234567890123',
        who: "'@a",
        n: '-12',
        'at (UTC)': '2016-10-30 00:30:00',
        'at: local date (Europe/Paris)': '2016-10-30',
        // The night summer time ends: 02:30 twice, first in summer time, then in winter time.
        'at: local time (Europe/Paris)': '02:30:00',
      },
      {
        id: '\t2',
        who: 'x\ny',
        n: '',
        'at (UTC)': '2016-10-30 01:30:00',
        'at: local date (Europe/Paris)': '2016-10-30',
        'at: local time (Europe/Paris)': '02:30:00',
      },
    ]);
  });
});

describe('local time', () => {
  test.each([
    ['winter', '2016-12-07T23:00:00Z', '2016-12-08', '00:00:00'],
    ['summer', '2016-07-01T22:00:00Z', '2016-07-02', '00:00:00'],
    ['the hour repeated by DST', '2016-10-30T01:15:00Z', '2016-10-30', '02:15:00'],
  ])('%s', (_name, iso, date, time) => {
    expect(localParts(new Date(iso), 'Europe/Paris')).toEqual({ date, time });
    expect(wallClock(new Date(iso), 'Europe/Paris').toISOString()).toBe(`${date}T${time}.000Z`);
  });
});
