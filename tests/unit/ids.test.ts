import { describe, expect, test } from 'vitest';
import { compareIds, uniqueById } from '../../src/db/ids.ts';

describe('X ids', () => {
  test.each([
    ['9', '10', -1],
    ['806123456789012345', '806123456789012346', -1],
    ['1440717170493689866', '806123456789012345', 1],
    ['42', '42', 0],
  ])('compareIds(%s, %s) = %i (numeric, beyond 2^53)', (a, b, expected) => {
    expect(Math.sign(compareIds(a, b))).toBe(expected);
  });

  test('uniqueById keeps the last of each id, in ascending id order', () => {
    const rows = [
      { id: '10', v: 'a' },
      { id: '9', v: 'b' },
      { id: '10', v: 'c' },
    ];
    expect(uniqueById(rows, (row) => row.id)).toEqual([
      { id: '9', v: 'b' },
      { id: '10', v: 'c' },
    ]);
  });
});
