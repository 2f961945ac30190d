import { alertMetrics } from '../alerts/settings.ts';
import { alertSettingsOf } from '../db/alerts-repository.ts';
import { entitiesOf, queriesOf } from '../db/campaign-repository.ts';
import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { parseInstance } from '../networks/mastodon/instances.ts';
import type { CampaignFile, Entity } from './campaign-file.ts';

type AlertMetric = (typeof alertMetrics)[number];

/**
 * The campaign as the database holds it, in the campaign file's shape: what was applied, plus what
 * the admin routes changed since (a peer or query added from the dashboard), so a download of the
 * file (src/campaigns/campaign-file.ts, campaignFileYaml) applied again gives the same campaign:
 * its entities with their account on each network, its queries on each network. Mastodon queries
 * are stored per (tag, instance) and written back as the file says them, every tag on every
 * instance (the only form the file has).
 */
export async function storedCampaignFile(db: Db, campaign: Campaign): Promise<CampaignFile> {
  return inSnapshot(db, async (trx) => {
    const [rows, queries, alerts] = await Promise.all([
      entitiesOf(trx, campaign.id),
      queriesOf(trx, campaign.id),
      alertSettingsOf(trx, campaign.id),
    ]);
    const entities = new Map<number, Entity & { role: string }>();
    for (const row of rows) {
      const entity = entities.get(row.id) ?? {
        name: row.name,
        role: row.role,
        x: null,
        bluesky: null,
        mastodon: null,
      };
      if (row.network && row.username) entity[row.network] = row.username;
      entities.set(row.id, entity);
    }
    const withoutRole = ({ role: _role, ...entity }: Entity & { role: string }): Entity => entity;
    const all = [...entities.values()];
    const home = all.find((entity) => entity.role === 'home');
    const active = queries.filter((query) => query.active).sort((a, b) => a.id - b.id);
    const on = (network: string) => active.filter((query) => query.network === network);
    const mastodon = on('mastodon');
    return {
      slug: campaign.slug,
      name: campaign.name,
      timezone: campaign.timezone,
      window: { start: campaign.window_start, end: campaign.window_end },
      home: home
        ? withoutRole(home)
        : { name: campaign.home_username, x: campaign.home_username, bluesky: null, mastodon: null },
      queries: {
        x: on('x').map((query) => query.query),
        bluesky: on('bluesky').map((query) => query.query),
        mastodon:
          mastodon.length === 0
            ? null
            : {
                tags: [...new Set(mastodon.map((query) => query.query))],
                instances: [...new Set(mastodon.map((query) => query.instance))].map(parseInstance),
              },
      },
      watchlist: all.filter((entity) => entity.role === 'peer').map(withoutRole),
      schedule: campaign.schedule,
      alerts: alerts
        ? {
            webhook: alerts.webhook_url,
            language: alerts.language,
            // Stored from the file's checked list: every value is one of alertMetrics.
            rank: alerts.rank_metrics.filter((metric): metric is AlertMetric =>
              (alertMetrics as readonly string[]).includes(metric),
            ),
            followers: alerts.follower_milestones,
          }
        : undefined,
      budget:
        campaign.budget_monthly_usd === null
          ? undefined
          : { monthly_usd: Number(campaign.budget_monthly_usd) },
    };
  });
}
