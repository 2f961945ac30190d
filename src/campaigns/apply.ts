import { saveAlertSettings } from '../alerts/settings.ts';
import {
  activateQueries,
  type QueryKey,
  queriesOf,
  retireQueries,
  saveCampaign,
  saveEntities,
  type WantedEntity,
} from '../db/campaign-repository.ts';
import type { Db } from '../db/database.ts';
import type { Network } from '../db/schema.ts';
import { type CampaignFile, CampaignFileError, campaignNetworks, type Entity } from './campaign-file.ts';

export interface ApplyResult {
  campaignId: number;
  created: boolean;
  /** X queries as written; the others as `#tag (bluesky)`, `#tag (mastodon, instance host)` */
  queriesAdded: string[];
  queriesRetired: string[];
  /** X usernames as written; the others as `handle (network)` */
  watchlistAdded: string[];
  watchlistRemoved: string[];
}

/**
 * Makes the database say what the campaign file says, in one transaction; applying the same file
 * twice changes nothing. A query dropped from the file is retired, not deleted: its posts and
 * cursors stay, and adding it back resumes where it stopped. The home entity and each watchlist
 * entry become entities with one account per network they name; a Mastodon tag becomes one query
 * per instance, so each (instance, tag) keeps its own cursor. An X-only file means what it meant in
 * the first wave: each username an entity named by it.
 */
export async function applyCampaign(db: Db, file: CampaignFile, now: Date): Promise<ApplyResult> {
  const entities = wantedEntities(file);
  const wantedQueries = queriesOfFile(file);
  return db.transaction().execute(async (trx) => {
    const { campaignId, created } = await saveCampaign(trx, file.slug, {
      name: file.name,
      timezone: file.timezone,
      window_start: file.window.start,
      window_end: file.window.end,
      home_username: homeHandle(file.home),
      schedule: JSON.stringify(file.schedule),
      // No budget in the file: none in force (removing the key lifts it).
      budget_monthly_usd: file.budget?.monthly_usd ?? null,
      updated_at: now,
    });

    const queries = await queriesOf(trx, campaignId);
    const sameQuery = (a: QueryKey, b: QueryKey) =>
      a.network === b.network && a.instance === b.instance && a.query === b.query;
    const added = wantedQueries.filter((w) => !queries.some((q) => q.active && sameQuery(q, w)));
    const retired = queries.filter((q) => q.active && !wantedQueries.some((w) => sameQuery(q, w)));
    await activateQueries(trx, campaignId, added);
    await retireQueries(
      trx,
      campaignId,
      retired.map((q) => q.id),
    );

    const watchlist = await saveEntities(trx, campaignId, entities);

    await saveAlertSettings(trx, campaignId, file.alerts);

    return {
      campaignId,
      created,
      queriesAdded: added.map(queryLabel),
      queriesRetired: retired.map(queryLabel),
      watchlistAdded: watchlist.added.map(accountLabel),
      watchlistRemoved: watchlist.removed.map(accountLabel),
    };
  });
}

/**
 * `campaigns.home_username`: the home entity's X username, or its handle on the first other network
 * it names (handles of different networks never look alike: an X username holds no `.` or `@`).
 */
const homeHandle = (home: Entity) => (home.x ?? home.bluesky ?? home.mastodon) as string;

function wantedEntities(file: CampaignFile): WantedEntity[] {
  const entities = [
    { ...file.home, role: 'home' as const },
    ...file.watchlist.map((e) => ({ ...e, role: 'peer' as const })),
  ];
  const names = new Map<string, number>();
  entities.forEach((e, i) => {
    const earlier = names.get(e.name.toLowerCase());
    if (earlier !== undefined) {
      const field = (n: number) => (n === 0 ? 'home' : `watchlist.${n - 1}`);
      throw new CampaignFileError(
        `${field(i)}.name: "${e.name}" already names ${field(earlier)}; give each entity its own name`,
      );
    }
    names.set(e.name.toLowerCase(), i);
  });
  return entities.map((e) => ({
    name: e.name,
    role: e.role,
    accounts: campaignNetworks.flatMap((network) => {
      const username = e[network];
      return username ? [{ network, username }] : [];
    }),
  }));
}

function queriesOfFile(file: CampaignFile): QueryKey[] {
  const { x, bluesky, mastodon } = file.queries;
  return [
    ...x.map((query) => ({ network: 'x' as const, instance: '', query })),
    ...bluesky.map((query) => ({ network: 'bluesky' as const, instance: '', query })),
    ...(mastodon?.instances ?? []).flatMap(
      (instance) =>
        mastodon?.tags.map((query) => ({
          network: 'mastodon' as const,
          instance: instance.baseUrl,
          query,
        })) ?? [],
    ),
  ];
}

function queryLabel(q: QueryKey): string {
  if (q.network === 'x') return q.query;
  if (q.network === 'bluesky') return `${q.query} (bluesky)`;
  return `#${q.query} (mastodon, ${new URL(q.instance).host})`;
}

const accountLabel = (a: { network: Network; username: string }) =>
  a.network === 'x' ? a.username : `${a.username} (${a.network})`;
