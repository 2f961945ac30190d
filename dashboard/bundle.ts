import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface Asset {
  /** `/assets/app.<contenthash>.js`: the hash lets browsers cache it forever */
  path: string;
  contentType: string;
  body: Uint8Array;
}

export interface Assets {
  script: Asset;
  style: Asset;
  byPath: ReadonlyMap<string, Asset>;
}

let built: Promise<Assets> | undefined;

/**
 * The browser code (with Chart.js from node_modules: no CDN, the page works offline) and the CSS,
 * bundled in memory once per process. A failed build is forgotten so that the next request retries.
 */
export function buildAssets(): Promise<Assets> {
  built ??= bundle().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function bundle(): Promise<Assets> {
  const [script, style] = await Promise.all([
    bundleOne('./client/main.ts', 'js', 'text/javascript; charset=utf-8'),
    bundleOne('./client/styles.css', 'css', 'text/css; charset=utf-8'),
  ]);
  return { script, style, byPath: new Map([script, style].map((asset) => [asset.path, asset])) };
}

async function bundleOne(entry: string, extension: string, contentType: string): Promise<Asset> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  const hash = createHash('sha256').update(output.contents).digest('hex').slice(0, 12);
  return { path: `/assets/app.${hash}.${extension}`, contentType, body: output.contents };
}
