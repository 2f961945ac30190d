import { alertMetrics } from '../alerts/settings.ts';
import { alertSettingsOf } from '../db/alerts-repository.ts';
import { activeQueries, watchlist } from '../db/campaign-repository.ts';
import { inSnapshot } from '../db/consistent-read.ts';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import type { CampaignFile, Entity } from './campaign-file.ts';

type AlertMetric = (typeof alertMetrics)[number];

/**
 * The campaign as the database holds it, in the campaign file's shape: what was applied, plus what
 * the admin routes changed since (a peer or query added from the dashboard), so a download of the
 * file (src/campaigns/campaign-file.ts, campaignFileYaml) applied again gives the same campaign.
 * X only for now, as applyCampaign stores (src/campaigns/apply.ts): when Bluesky and Mastodon
 * entities are stored, they are read here too.
 */
export async function storedCampaignFile(db: Db, campaign: Campaign): Promise<CampaignFile> {
  return inSnapshot(db, async (trx) => {
    const [accounts, queries, alerts] = await Promise.all([
      watchlist(trx, campaign.id),
      activeQueries(trx, campaign.id),
      alertSettingsOf(trx, campaign.id),
    ]);
    const entity = (username: string): Entity => ({
      name: username,
      x: username,
      bluesky: null,
      mastodon: null,
    });
    return {
      slug: campaign.slug,
      name: campaign.name,
      timezone: campaign.timezone,
      window: { start: campaign.window_start, end: campaign.window_end },
      home: entity(campaign.home_username),
      queries: { x: queries.map((query) => query.query), bluesky: [], mastodon: null },
      watchlist: accounts.filter((row) => row.role === 'peer').map((row) => entity(row.username)),
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
