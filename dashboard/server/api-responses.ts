import { findCampaign } from '../../src/db/campaign-repository.ts';
import type { Db } from '../../src/db/database.ts';
import { homeHandlesOf } from '../../src/db/overview-repository.ts';
import type { Campaign } from '../../src/db/schema.ts';
import type { Network } from '../../src/networks/types.ts';
import { coverage } from '../../src/rank/coverage.ts';
import { rankHistory } from '../../src/rank/history.ts';
import { type LeaderboardQuery, type LeaderboardRow, leaderboard } from '../../src/rank/leaderboard.ts';
import type { Interval, Metric, NetworkChoice, Scope, SeriesMetric } from '../../src/rank/metrics.ts';
import { overview } from '../../src/rank/overview.ts';
import { accountSeries } from '../../src/rank/series.ts';
import type {
  AccountSeriesJson,
  CampaignJson,
  CampaignOverviewJson,
  CoverageJson,
  HomeRankHistoryJson,
  RankedLeaderboardJson,
  RankedRowJson,
  SeriesJson,
} from '../api-contract.ts';
import { notFound } from './middleware/errors.ts';

/** Reads shared by the JSON API and the pages (which embed the same JSON for their first paint). */

/** The campaign file's slug rule (src/campaigns/campaign-file.ts): anything else names no campaign. */
export const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export async function campaignOr404(db: Db, slug: string): Promise<Campaign> {
  // Checked before the query: PostgreSQL refuses some text outright (a NUL byte), which is no 500.
  const campaign = slugPattern.test(slug) ? await findCampaign(db, slug) : undefined;
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

const iso = (date: Date | null) => date?.toISOString() ?? null;

const rowJson = (row: LeaderboardRow): RankedRowJson => ({
  rank: row.rank,
  accountId: row.accountId,
  network: row.network,
  username: row.username,
  name: row.name,
  profileImageUrl: row.profileImageUrl,
  value: row.value,
  isHome: row.isHome,
  entity: row.entity,
  rankHourAgo: row.rankHourAgo,
  rankDayStart: row.rankDayStart,
});

export async function leaderboardJson(
  db: Db,
  campaign: Campaign,
  query: LeaderboardQuery,
  asOf: Date,
): Promise<RankedLeaderboardJson> {
  const board = await leaderboard(db, campaign, { ...query, asOf });
  return {
    campaign: campaign.slug,
    metric: board.metric,
    scope: board.scope,
    network: board.network,
    from: board.from.toISOString(),
    to: board.to.toISOString(),
    asOf: asOf.toISOString(),
    total: board.total,
    rows: board.rows.map(rowJson),
    home: board.home ? rowJson(board.home) : null,
    lastCollectedAt: iso(board.lastCollectedAt),
    movement: { hourAgo: iso(board.movement.hourAgo), dayStart: iso(board.movement.dayStart) },
  };
}

export async function seriesJson(
  db: Db,
  campaign: Campaign,
  account: { network: Network; handle: string },
  options: { metric: SeriesMetric; interval: Interval; from: Date; to: Date },
  asOf: Date,
): Promise<AccountSeriesJson> {
  const points = await accountSeries(db, campaign, account, options);
  return {
    campaign: campaign.slug,
    network: account.network,
    username: account.handle,
    metric: options.metric,
    interval: options.interval,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    asOf: asOf.toISOString(),
    points: points.map((point) => ({
      at: point.at.toISOString(),
      value: point.value,
      ...(point.source ? { source: point.source } : {}),
    })),
  };
}

/** The follower curve the live page draws first. */
export async function followerSeriesJson(
  db: Db,
  campaign: Campaign,
  account: { network: Network; handle: string },
  options: { interval: Interval; from: Date; to: Date },
  asOf: Date,
): Promise<SeriesJson> {
  const series = await seriesJson(db, campaign, account, { ...options, metric: 'followers' }, asOf);
  return { ...series, metric: 'followers' };
}

export async function rankHistoryJson(
  db: Db,
  campaign: Campaign,
  options: { metric: Metric; scope: Scope; network: NetworkChoice; interval: Interval; from: Date; to: Date },
  asOf: Date,
): Promise<HomeRankHistoryJson> {
  const { network } = options;
  const [points, handles] = await Promise.all([
    rankHistory(db, campaign, { ...options, asOf }),
    homeHandlesOf(db, campaign),
  ]);
  return {
    campaign: campaign.slug,
    username: (network === 'all' ? null : handles.get(network)) ?? campaign.home_username,
    network,
    metric: options.metric,
    scope: options.scope,
    interval: options.interval,
    from: options.from.toISOString(),
    to: options.to.toISOString(),
    asOf: asOf.toISOString(),
    points: points.map((point) => ({ at: point.at.toISOString(), rank: point.rank, value: point.value })),
  };
}

export async function overviewJson(
  db: Db,
  campaign: Campaign,
  options: { from: Date; to: Date; top: number; network?: NetworkChoice },
  asOf: Date,
): Promise<CampaignOverviewJson> {
  const view = await overview(db, campaign, {
    from: options.from,
    to: options.to,
    asOf,
    topPosts: options.top,
    network: options.network ?? 'all',
  });
  return {
    campaign: campaign.slug,
    from: view.from.toISOString(),
    to: view.to.toISOString(),
    asOf: asOf.toISOString(),
    postsPerHour: view.postsPerHour.map((query) => ({
      queryId: query.queryId,
      query: query.query,
      active: query.active,
      points: query.points.map((point) => ({ at: point.at.toISOString(), value: point.value })),
    })),
    uniqueAuthors: view.uniqueAuthors,
    posts: view.posts,
    engagement: view.engagement,
    home: view.home,
    topPosts: view.topPosts.map((post) => ({ ...post, createdAt: post.createdAt.toISOString() })),
    headline: { ...view.headline, metric: 'posts' },
  };
}

export async function coverageJson(
  db: Db,
  campaign: Campaign,
  window: { from: Date; to: Date },
  asOf: Date,
): Promise<CoverageJson> {
  const view = await coverage(db, campaign, window);
  return {
    campaign: campaign.slug,
    from: view.from.toISOString(),
    to: view.to.toISOString(),
    asOf: asOf.toISOString(),
    queries: view.queries.map((query) => ({
      id: query.id,
      network: query.network,
      query: query.query,
      active: query.active,
      pollingSince: iso(query.pollingSince),
      backfillFrom: iso(query.backfillFrom),
      backfillDone: query.backfillDone,
      oldestPostHour: iso(query.oldestPostHour),
    })),
    hours: view.hours.map((hour) => ({ ...hour, at: hour.at.toISOString() })),
  };
}
