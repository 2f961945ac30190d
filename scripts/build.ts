import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type Asset,
  bundleAssets,
  type PrebuiltAsset,
  prebuiltManifest,
} from '../dashboard/server/client-bundle.ts';

/**
 * `npm run build`: the package as it ships, in dist/. The compiled tree mirrors the sources
 * (dist/src, dist/workers, dist/dashboard, dist/migrations), so every path a module finds from its
 * own `import.meta.url` (the demo campaign file, the database functions in sql/) is the same
 * relative path from dist/, and the files it reads are copied beside.
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

for (const folder of ['campaigns', 'sql']) {
  const exists = await stat(new URL(folder, root)).then(
    () => true,
    () => false,
  );
  if (exists) await cp(new URL(folder, root), new URL(folder, dist), { recursive: true });
}
console.log(`built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
