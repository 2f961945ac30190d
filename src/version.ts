import { readFileSync } from 'node:fs';

/**
 * The package's version, from its package.json. Sources sit one folder below the package root
 * (src/), the compiled package two (dist/src/): the first package.json up that names this package
 * is ours.
 */
export function packageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8'));
      if (manifest.name === 'campaign-tracker' && typeof manifest.version === 'string')
        return manifest.version;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error('cannot find the package.json of campaign-tracker');
}
