#!/usr/bin/env node
// Runs a TypeScript entry point through tsx, so the package ships its sources as they are:
// no build step between `npm ci` and `npm start`.
import { register } from 'tsx/esm/api';

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts <file.ts> [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
await import(new URL(entry, `file://${process.cwd()}/`).href);
