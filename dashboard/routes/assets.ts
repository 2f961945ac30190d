import { Hono } from 'hono';
import { buildAssets } from '../bundle.ts';
import { notFound } from '../errors.ts';

/** The bundled browser code and CSS, by content-hashed name. */
export function assetRoutes(): Hono {
  return new Hono().get('/assets/:file', async (c) => {
    const asset = (await buildAssets()).byPath.get(c.req.path);
    if (!asset) throw notFound(`no asset ${c.req.path}`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
}
