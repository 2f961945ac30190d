import type { Logger } from 'pino';
import type { PriceTable } from '../budget/prices.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { XClient } from '../networks/x/client.ts';

/** What a collection use-case needs; callers (worker, CLI, test) build it. */
export interface CollectContext {
  db: Db;
  x: XClient;
  clock: Clock;
  log: Logger;
  /** what X charges per read, to estimate costs; unset: X's published prices */
  prices?: PriceTable;
  /** the queue job this work runs for (`queue:id`): the run log closes what its earlier attempts left open */
  job?: string;
}
