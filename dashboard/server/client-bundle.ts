import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { build } from 'esbuild';

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
    bundleOne('../client/main.ts', 'js', 'text/javascript; charset=utf-8'),
    bundleOne('../client/styles.css', 'css', 'text/css; charset=utf-8'),
  ]);
  return { script, style, byPath: new Map([script, style].map((asset) => [asset.path, asset])) };
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

async function bundleOne(entry: string, extension: string, contentType: string): Promise<Asset> {
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
