#!/usr/bin/env node
// The `tracker` command. Sources are TypeScript, loaded through tsx: no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
