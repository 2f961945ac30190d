import { findCampaign } from '../src/db/campaigns.ts';
import type { Db } from '../src/db/database.ts';
import type { Campaign } from '../src/db/schema.ts';
import { type LeaderboardQuery, leaderboard } from '../src/rank/leaderboard.ts';
import { followerSeries, type Interval } from '../src/rank/series.ts';
import type { CampaignJson, LeaderboardJson, SeriesJson } from './contract.ts';
import { notFound } from './errors.ts';

/** Reads shared by the JSON API and the pages (which embed the same JSON for their first paint). */

export async function campaignOr404(db: Db, slug: string): Promise<Campaign> {
  const campaign = await findCampaign(db, slug);
  if (!campaign) throw notFound(`no campaign with slug "${slug}"`);
  return campaign;
}

export function campaignJson(campaign: Campaign): CampaignJson {
  return {
    slug: campaign.slug,
    name: campaign.name,
    timezone: campaign.timezone,
    window: { start: campaign.window_start.toISOString(), end: campaign.window_end.toISOString() },
    home: campaign.home_username,
  };
}

export async function leaderboardJson(
  db: Db,
  campaign: Campaign,
  query: LeaderboardQuery,
  asOf: Date,
): Promise<LeaderboardJson> {
  const board = await leaderboard(db, campaign, query);
  return {
    campaign: campaign.slug,
    metric: board.metric,
    scope: board.scope,
    from: board.from.toISOString(),
    to: board.to.toISOString(),
    asOf: asOf.toISOString(),
    total: board.total,
    rows: board.rows,
    home: board.home,
  };
}

export async function followerSeriesJson(
  db: Db,
  campaign: Campaign,
  username: string,
  options: { interval: Interval; from: Date; to: Date },
  asOf: Date,
): Promise<SeriesJson> {
  const points = await followerSeries(db, campaign, username, options);
  return {
    campaign: campaign.slug,
    username,
    metric: 'followers',
    interval: options.interval,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    asOf: asOf.toISOString(),
    points: points.map((point) => ({ at: point.at.toISOString(), value: point.value })),
  };
}
