import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type Asset,
  bundleAssets,
  type PrebuiltAsset,
  prebuiltManifest,
} from '../dashboard/server/client-bundle.ts';

/**
 * `npm run build`: the package as it ships, in dist/. The compiled tree mirrors the sources
 * (dist/src, dist/workers, dist/dashboard, dist/migrations), so a path a module finds from its own
 * `import.meta.url` (the demo campaign file) is the same relative path from dist/, and the files it
 * reads are copied beside. sql/ is not copied: migrations/sql-files.ts finds it at the package
 * root, from the sources and from dist/ alike, and the package ships it there (package.json files).
 */
const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);
const started = performance.now();

await rm(dist, { recursive: true, force: true });
// Emit only: `npm run typecheck` checks types, with the tests; checking twice would double the
// build's time on every `npm ci`.
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('node_modules/typescript/bin/tsc', root)), '-p', 'tsconfig.build.json', '--noCheck'],
  { cwd: fileURLToPath(root), stdio: 'inherit' },
);

const assets = await bundleAssets();
const clientFolder = new URL('dashboard/client/', dist);
await mkdir(clientFolder, { recursive: true });
const manifest: PrebuiltAsset[] = [];
for (const asset of [assets.script, assets.style] satisfies Asset[]) {
  const body = asset.path.split('/').pop() ?? '';
  const files = { body, gzip: `${body}.gz`, brotli: `${body}.br` };
  await writeFile(new URL(files.body, clientFolder), asset.body);
  await writeFile(new URL(files.gzip, clientFolder), asset.gzip);
  await writeFile(new URL(files.brotli, clientFolder), asset.brotli);
  manifest.push({ path: asset.path, contentType: asset.contentType, files });
}
await writeFile(new URL(prebuiltManifest, clientFolder), `${JSON.stringify(manifest, null, 2)}\n`);

await cp(new URL('campaigns', root), new URL('campaigns', dist), { recursive: true });
// The OpenAPI document quotes the metric definitions from it (dashboard/server/openapi/metric-definitions.ts).
await cp(new URL('docs/METRICS.md', root), new URL('docs/METRICS.md', dist));
console.log(`built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
