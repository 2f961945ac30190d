import { systemClock } from '../clock.ts';
import { pollQuery } from '../collect/poll-query.ts';
import { snapshotWatchlist } from '../collect/snapshot-accounts.ts';
import type { Config } from '../config.ts';
import { activeQueries, findCampaign } from '../db/campaigns.ts';
import type { Logger } from '../log.ts';
import { XClient } from '../x/client.ts';
import { UsageError } from './errors.ts';
import { openMigratedDatabase } from './storage.ts';

/** `tracker collect <slug>`: one pass now, without queues — polls every query, then snapshots the watchlist. */
export async function collectOnce(config: Config, log: Logger, slug: string, out: (line: string) => void) {
  if (!config.X_BEARER_TOKEN) {
    throw new UsageError('tracker collect needs X_BEARER_TOKEN (the demo collects by itself: npm start)');
  }
  const db = await openMigratedDatabase(config);
  try {
    const campaign = await findCampaign(db, slug);
    if (!campaign)
      throw new UsageError(`no campaign "${slug}": apply its file first (tracker campaign apply <file>)`);
    const ctx = {
      db,
      x: new XClient({ bearerToken: config.X_BEARER_TOKEN, baseUrl: config.X_API_BASE_URL }),
      clock: systemClock,
      log,
    };
    for (const query of await activeQueries(db, campaign.id)) {
      const result = await pollQuery(ctx, query.id);
      out(`${query.query}: ${result.postsNew} new posts in ${result.pages} page(s)`);
    }
    const { snapshots } = await snapshotWatchlist(ctx, campaign.id);
    out(`watchlist: ${snapshots} follower snapshot(s)`);
  } finally {
    await db.destroy();
  }
}
