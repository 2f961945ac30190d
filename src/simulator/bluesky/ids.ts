import { createHash } from 'node:crypto';

/**
 * AT Protocol identifiers as the lexicons check them: `did:plc:` DIDs, TID record keys, CIDv1 content
 * ids. Deterministic (hashes of the scenario's own ids), so the same scenario serves the same URIs.
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE32_SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';

/** did:plc: identifiers are 24 base32 characters of a hash. */
export function plcDid(seed: string): string {
  return `did:plc:${base32(sha256(`did:${seed}`)).slice(0, 24)}`;
}

/**
 * A TID: microseconds since 1970 and a 10-bit clock id, in base32-sortable, 13 characters; record keys
 * in time order sort in that order.
 */
export function tid(micros: number, clockId: number): string {
  let value = (BigInt(Math.floor(micros)) << 10n) | BigInt(clockId & 1023);
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = (BASE32_SORTABLE[Number(value & 31n)] ?? '2') + out;
    value >>= 5n;
  }
  return out;
}

/** A CIDv1 (dag-cbor, sha2-256) of `content`, multibase base32: the `bafyrei…` form records carry. */
export function recordCid(content: string): string {
  const digest = sha256(content);
  const bytes = new Uint8Array(4 + digest.length);
  bytes.set([0x01, 0x71, 0x12, 0x20]);
  bytes.set(digest, 4);
  return `b${base32(bytes)}`;
}

function sha256(text: string): Uint8Array {
  return createHash('sha256').update(text).digest();
}

/** RFC 4648 base32, lower case, no padding (multibase `b`). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
