import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export interface Asset {
  /** `/assets/app.<contenthash>.js`: the hash lets browsers cache it forever */
  path: string;
  contentType: string;
  body: Uint8Array;
  /** compressed once here rather than on every request */
  gzip: Uint8Array;
  brotli: Uint8Array;
}

export interface Assets {
  script: Asset;
  style: Asset;
  byPath: ReadonlyMap<string, Asset>;
}

/** What `npm run build` writes beside the compiled dashboard (dist/dashboard/client/), read at start. */
export const prebuiltManifest = 'assets.json';
export interface PrebuiltAsset {
  path: string;
  contentType: string;
  /** file names in the same folder: the body, then its gzip and brotli forms */
  files: { body: string; gzip: string; brotli: string };
}
const prebuiltFolder = new URL('../client/', import.meta.url);

let built: Promise<Assets> | undefined;

/**
 * The browser code (with Chart.js from node_modules: no CDN, the page works offline) and the CSS.
 * The compiled package reads them as `npm run build` bundled them; run from the sources (tests,
 * development), there is no prebuilt folder and they are bundled in memory, once per process. A
 * failure is forgotten so that the next request retries.
 */
export function buildAssets(): Promise<Assets> {
  built ??= readPrebuilt()
    .then((prebuilt) => prebuilt ?? bundleAssets())
    .catch((error: unknown) => {
      built = undefined;
      throw error;
    });
  return built;
}

async function readPrebuilt(): Promise<Assets | undefined> {
  let manifest: PrebuiltAsset[];
  try {
    manifest = JSON.parse(await readFile(new URL(prebuiltManifest, prebuiltFolder), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const read = async (file: string) => new Uint8Array(await readFile(new URL(file, prebuiltFolder)));
  const [script, style] = await Promise.all(
    manifest.map(
      async (entry): Promise<Asset> => ({
        path: entry.path,
        contentType: entry.contentType,
        body: await read(entry.files.body),
        gzip: await read(entry.files.gzip),
        brotli: await read(entry.files.brotli),
      }),
    ),
  );
  if (!script || !style) throw new Error(`${prebuiltManifest} names no script or no style: rebuild`);
  return { script, style, byPath: new Map([script, style].map((asset) => [asset.path, asset])) };
}

/** Bundles and compresses the browser code with esbuild (a dev dependency: the build runs this). */
export async function bundleAssets(): Promise<Assets> {
  const [script, style] = await Promise.all([
    bundleOne('../client/main.ts', 'js', 'text/javascript; charset=utf-8'),
    bundleOne('../client/styles.css', 'css', 'text/css; charset=utf-8'),
  ]);
  return { script, style, byPath: new Map([script, style].map((asset) => [asset.path, asset])) };
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

async function bundleOne(entry: string, extension: string, contentType: string): Promise<Asset> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    // The browser renders JSX with hono/jsx/dom (Hono's "client components"), so a component the
    // server renders with hono/jsx (views/leaderboard-table.tsx) builds here into DOM elements.
    // When bundling, esbuild lets tsconfig.json's `jsxImportSource: hono/jsx` win over a
    // `jsxImportSource` option (evanw/esbuild#2460): hence tsconfig.json's settings that matter to
    // esbuild, restated with the browser's runtime.
    tsconfigRaw: {
      compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'hono/jsx/dom', verbatimModuleSyntax: true },
    },
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  const body = output.contents;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const [gzipped, brotli] = await Promise.all([
    gzipAsync(body, { level: 9 }),
    // Quality 9: within a few percent of 11, several times faster to build on a small machine.
    brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }),
  ]);
  return {
    path: `/assets/app.${hash}.${extension}`,
    contentType,
    body,
    gzip: new Uint8Array(gzipped),
    brotli: new Uint8Array(brotli),
  };
}
