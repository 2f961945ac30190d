import { Hono } from 'hono';
import { parseAccept } from 'hono/utils/accept';
import { type Asset, buildAssets } from '../client-bundle.ts';
import { notFound } from '../middleware/errors.ts';

/** The bundled browser code and CSS, by content-hashed name, compressed as the browser accepts. */
export function assetRoutes(): Hono {
  return new Hono().get('/assets/:file', async (c) => {
    const asset = (await buildAssets()).byPath.get(c.req.path);
    if (!asset) throw notFound(`no asset ${c.req.path}`);
    const [encoding, body] = pickEncoding(asset, c.req.header('Accept-Encoding'));
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': asset.contentType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      Vary: 'Accept-Encoding',
      ...(encoding ? { 'Content-Encoding': encoding } : {}),
    });
  });
}

function pickEncoding(asset: Asset, header: string | undefined): [string | undefined, Uint8Array] {
  const accepted = new Set(
    parseAccept(header ?? '')
      .filter((entry) => entry.q > 0)
      .map((entry) => entry.type.toLowerCase()),
  );
  if (accepted.has('br')) return ['br', asset.brotli];
  if (accepted.has('gzip')) return ['gzip', asset.gzip];
  return [undefined, asset.body];
}
