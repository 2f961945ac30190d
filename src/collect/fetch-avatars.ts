import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { type AvatarToFetch, avatarsToFetch, type FetchedAvatar, storeAvatar } from '../db/avatars.ts';
import type { Db } from '../db/database.ts';

/** X's avatars are a few kilobytes; anything far larger is not a profile image. */
export const maxAvatarBytes = 256 * 1024;
const timeoutMs = 5_000;
const parallel = 4;

/**
 * Raster formats only, recognised by their first bytes as well as by the Content-Type: the dashboard
 * serves these bytes from its own origin, so an SVG (which can carry script) or HTML is refused.
 */
const formats: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/png': (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46,
  'image/webp': (b) => String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
};

class AvatarRefused extends Error {
  override name = 'AvatarRefused';
}

export interface FetchAvatarsDeps {
  db: Db;
  clock: Clock;
  log: Logger;
}

/**
 * Fetches the profile images a campaign's pages show and have not got yet (or whose URL changed),
 * at most `limit` per call: the snapshot job calls it each time, so a big campaign fills in over a
 * few runs. A refused or failed image is stored as a failure: it is not tried again until the
 * account's URL changes. Returns how many images were stored and how many failed.
 */
export async function fetchAvatars(
  deps: FetchAvatarsDeps,
  campaignId: number,
  limit = 200,
): Promise<{ stored: number; failed: number }> {
  const pending = await avatarsToFetch(deps.db, campaignId, limit);
  let stored = 0;
  let failed = 0;
  const next = async (): Promise<void> => {
    for (let item = pending.shift(); item; item = pending.shift()) {
      const avatar = await fetchAvatar(item);
      if ('failure' in avatar) {
        failed += 1;
        deps.log.debug(
          { accountId: item.accountId, url: item.url, failure: avatar.failure },
          'avatar refused',
        );
      } else stored += 1;
      await storeAvatar(deps.db, item.accountId, avatar, deps.clock.now());
    }
  };
  await Promise.all(Array.from({ length: parallel }, next));
  return { stored, failed };
}

async function fetchAvatar({ url }: AvatarToFetch): Promise<FetchedAvatar> {
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'https:' && protocol !== 'http:') throw new AvatarRefused(`not a web address`);
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!response.ok) throw new AvatarRefused(`HTTP ${response.status}`);
    const contentType =
      (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const looksRight = formats[contentType];
    if (!looksRight) throw new AvatarRefused(`content type ${contentType || 'missing'}`);
    const body = await readBounded(response);
    if (!looksRight(body)) throw new AvatarRefused(`body is not ${contentType}`);
    return { url, contentType, body, sha256: createHash('sha256').update(body).digest('hex') };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    return { url, failure: failure.slice(0, 200) };
  }
}

/** The body, or a refusal as soon as it passes `maxAvatarBytes` (whatever Content-Length says). */
async function readBounded(response: Response): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxAvatarBytes) throw new AvatarRefused(`${declared} bytes is too large`);
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxAvatarBytes) {
      await reader.cancel();
      throw new AvatarRefused(`more than ${maxAvatarBytes} bytes`);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks);
}
