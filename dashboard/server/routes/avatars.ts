import { Hono } from 'hono';
import { readAvatar } from '../../../src/db/avatars.ts';
import { avatarVersion, initialsOf } from '../../views/present.ts';
import { notFound } from '../middleware/errors.ts';
import type { DashboardContext } from './context.ts';

const accountId = /^-?\d{1,19}$/;
const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /avatars/:accountId?v=`: profile images from our own origin (the workers fetched them once,
 * src/collect/fetch-avatars.ts), so pages ask no other host (CSP `img-src 'self' data:`). The ETag
 * is the image's SHA-256; when `v` names the stored image's source URL (views/present.ts
 * `avatarSrc`) the address can only ever mean these bytes, so it is cached for good. An account
 * whose image is not fetched yet gets its initials as a small SVG, revalidated on each use.
 */
export function avatarRoutes({ db }: DashboardContext): Hono {
  return new Hono().get('/avatars/:accountId', async (c) => {
    const id = c.req.param('accountId');
    const avatar = accountId.test(id) ? await readAvatar(db, id) : undefined;
    if (!avatar) throw notFound(`no account ${id}`);
    const { image } = avatar;
    if (!image) {
      c.header('Cache-Control', 'no-cache');
      c.header('Content-Type', 'image/svg+xml; charset=utf-8');
      return c.body(initialsSvg(initialsOf(avatar.name, avatar.username)));
    }
    const etag = `"${image.sha256}"`;
    const final = c.req.query('v') === avatarVersion(image.sourceUrl);
    c.header('ETag', etag);
    c.header('Cache-Control', final ? 'public, max-age=31536000, immutable' : 'public, no-cache');
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304);
    c.header('Content-Type', image.contentType);
    return c.body(new Uint8Array(image.body));
  });
}

function initialsSvg(initials: string): string {
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    '<rect width="64" height="64" fill="#e3e8ee"/>' +
    '<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="26" ' +
    `font-weight="600" fill="#334">${escapeXml(initials)}</text></svg>`
  );
}
