import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_rank_rollups.ts';
import * as m0003 from './0003_collection_cursors.ts';

/** Every migration, in order. Landed migrations are history: add a new file, never edit one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_rank_rollups': m0002,
  '0003_collection_cursors': m0003,
  '0004_alerts': await import('./0004_alerts.ts'),
};
