#!/usr/bin/env node
// The `tracker` command: the compiled package in dist/ (`npm run build`; `npm ci` builds it).
// Tests and development run the sources instead: node bin/run-ts.js src/cli.ts …
try {
  await import('../dist/src/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/src/cli.js'))
    throw error;
  console.error('tracker: dist/ is missing: run npm run build (npm ci does it)');
  process.exit(1);
}
