/**
 * Pagination tokens: opaque base-36 strings like X's, encoding where the next page starts.
 * `older` continues below an id (next page); `newer` above it (a timeline's previous page).
 * The prefix ties a token to the endpoint family that issued it. A counts token carries an instant
 * (ms) where the older page ends, in place of an id.
 */
export type TokenFamily = 'search' | 'timeline' | 'counts';
export type TokenDirection = 'older' | 'newer';

export interface PageCursor {
  direction: TokenDirection;
  id: bigint;
}

const PREFIX: Record<TokenFamily, string> = { search: 'b26v89c1', timeline: 't3b', counts: 'c9k1' };
// Scrambles the id so that a token does not read as an id a client could be tempted to parse.
const MASK = 0x2f6e4d1c9b3a5877n;
const LARGEST = (1n << 65n) - 1n;

export function encodeToken(family: TokenFamily, cursor: PageCursor): string {
  const value = ((cursor.id << 1n) | (cursor.direction === 'newer' ? 1n : 0n)) ^ MASK;
  return `${PREFIX[family]}${value.toString(36)}`;
}

/** The cursor in a token, or undefined for a token this simulator did not issue for this family. */
export function decodeToken(family: TokenFamily, token: string): PageCursor | undefined {
  const prefix = PREFIX[family];
  if (!token.startsWith(prefix)) return undefined;
  const body = token.slice(prefix.length);
  if (!/^[0-9a-z]{1,14}$/.test(body)) return undefined;
  let value = 0n;
  for (const ch of body) value = value * 36n + BigInt(Number.parseInt(ch, 36));
  if (value > LARGEST) return undefined;
  value ^= MASK;
  return { direction: (value & 1n) === 1n ? 'newer' : 'older', id: value >> 1n };
}
