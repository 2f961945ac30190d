import { deflateSync } from 'node:zlib';
import { Hono } from 'hono';
import type { SimulatorState } from '../state.ts';

/**
 * GET /avatars/:id.png: each simulated account's profile image, as X's image host would serve it
 * (no token), so the demo shows avatars offline. A 48×48 PNG in two colours drawn from the id:
 * small, real, and different enough between accounts to tell rows apart.
 */
export function avatarRoutes(state: SimulatorState): Hono {
  return new Hono().get('/avatars/:file{[0-9]+\\.png}', (c) => {
    const id = c.req.param('file').replace(/\.png$/, '');
    if (!state.index.user(id)) return c.notFound();
    c.header('Content-Type', 'image/png');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(avatarPng(id)));
  });
}

/** Where the simulator serves an account's image, as the users routes report it. */
export const avatarPath = (id: string) => `/avatars/${id}.png`;

const size = 48;

export function avatarPng(id: string): Buffer {
  let seed = 0;
  for (const char of id) seed = (seed * 31 + char.charCodeAt(0)) >>> 0;
  const hue = seed % 360;
  const [back, front] = [hsl(hue, 0.45, 0.78), hsl((hue + 150) % 360, 0.5, 0.42)];
  // One filter byte (0: none) then RGB per pixel, row by row; a disc of `front` on `back`.
  const raw = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inside =
        (x - 23.5) ** 2 + (y - 19) ** 2 < 11 ** 2 || (y > 34 && Math.abs(x - 23.5) < 18 - (48 - y) / 3);
      raw.set(inside ? front : back, row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
