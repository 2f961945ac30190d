import { saveAlertSettings } from '../alerts/settings.ts';
import {
  activateQueries,
  queriesOf,
  removeFromWatchlist,
  retireQueries,
  saveCampaign,
  saveWatchlist,
  watchlistRoles,
} from '../db/campaign-repository.ts';
import type { Db } from '../db/database.ts';
import { type CampaignFile, CampaignFileError } from './campaign-file.ts';

export interface ApplyResult {
  campaignId: number;
  created: boolean;
  queriesAdded: string[];
  queriesRetired: string[];
  watchlistAdded: string[];
  watchlistRemoved: string[];
}

/**
 * Makes the database say what the campaign file says, in one transaction; applying the same file
 * twice changes nothing. A query dropped from the file is retired, not deleted: its posts and
 * cursors stay, and adding it back resumes where it stopped.
 */
export async function applyCampaign(db: Db, file: CampaignFile, now: Date): Promise<ApplyResult> {
  const { home, watchlist, queries: xQueries } = xPartOf(file);
  return db.transaction().execute(async (trx) => {
    const { campaignId, created } = await saveCampaign(trx, file.slug, {
      name: file.name,
      timezone: file.timezone,
      window_start: file.window.start,
      window_end: file.window.end,
      home_username: home,
      schedule: JSON.stringify(file.schedule),
      // No budget in the file: none in force (removing the key lifts it).
      budget_monthly_usd: file.budget?.monthly_usd ?? null,
      updated_at: now,
    });

    const queries = await queriesOf(trx, campaignId);
    const queriesAdded = xQueries.filter((query) => !queries.some((q) => q.query === query && q.active));
    const queriesRetired = queries.filter((q) => q.active && !xQueries.includes(q.query)).map((q) => q.query);
    await activateQueries(trx, campaignId, queriesAdded);
    await retireQueries(trx, campaignId, queriesRetired);

    const wanted = [
      { username: home, role: 'home' as const },
      ...watchlist.map((username) => ({ username, role: 'peer' as const })),
    ];
    const current = await watchlistRoles(trx, campaignId);
    const lower = (name: string) => name.toLowerCase();
    const watchlistRemoved = current
      .filter((c) => !wanted.some((w) => lower(w.username) === lower(c.username)))
      .map((c) => c.username);
    const watchlistAdded = wanted
      .filter((w) => !current.some((c) => lower(c.username) === lower(w.username)))
      .map((w) => w.username);
    await removeFromWatchlist(trx, campaignId, watchlistRemoved);
    await saveWatchlist(trx, campaignId, wanted);

    await saveAlertSettings(trx, campaignId, file.alerts);

    return { campaignId, created, queriesAdded, queriesRetired, watchlistAdded, watchlistRemoved };
  });
}

/**
 * What this version stores of a campaign file: its X side. The file format names Bluesky and
 * Mastodon accounts and queries (docs/ARCHITECTURE.md); until their collection lands, a file that
 * names them is refused with the field, rather than applied in part.
 */
function xPartOf(file: CampaignFile): { home: string; watchlist: string[]; queries: string[] } {
  const refuse = (field: string, what: string) => {
    throw new CampaignFileError(
      `${field}: ${what} are not collected by this version yet; remove them to apply the X side`,
    );
  };
  if (file.queries.bluesky.length > 0) refuse('queries.bluesky', 'Bluesky searches');
  if (file.queries.mastodon) refuse('queries.mastodon', 'Mastodon tags');
  [file.home, ...file.watchlist].forEach((entity, i) => {
    const field = i === 0 ? 'home' : `watchlist.${i - 1}`;
    if (entity.bluesky) refuse(`${field}.bluesky`, 'Bluesky accounts');
    if (entity.mastodon) refuse(`${field}.mastodon`, 'Mastodon accounts');
  });
  if (!file.home.x) throw new CampaignFileError('home.x: the home entity needs an X account in this version');
  if (file.queries.x.length === 0) throw new CampaignFileError('queries.x: expected at least one X query');
  return {
    home: file.home.x,
    watchlist: file.watchlist.flatMap((entity) => (entity.x ? [entity.x] : [])),
    queries: file.queries.x,
  };
}
