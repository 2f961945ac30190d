import { windowSources } from '../db/coverage-repository.ts';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { metricDefinitions } from '../present/metric-definitions.ts';
import { type CoverageHour, coverage } from '../rank/coverage.ts';
import { lastCollectedAt } from '../rank/freshness.ts';
import { localParts, type Table } from './table.ts';

/**
 * "About these numbers": what every workbook says about itself — the metric definitions
 * (src/present/metric-definitions.ts), the window, when the data was collected, and the hours the coverage record shows as
 * incomplete — so that a figure in a report can be checked and trusted for what it is.
 */

const describeCollection: Record<string, string> = {
  pending: 'the walk back through earlier posts has not reached these hours yet',
  beyond_reach: "older than recent search's 7 days when collection started: never collected",
  not_collected: 'no search had run yet',
};

/** How each way a figure came is named: collected from X (and by which endpoint) or imported. */
function describeSource(source: string): string {
  if (source.startsWith('import:')) return `imported from the file ${source.slice('import:'.length)}`;
  const collected: Record<string, string> = {
    recent: "collected from X's recent search",
    archive: "collected from X's full-archive search",
    timeline: "collected from the accounts' timelines on X",
    lookup: 'collected from X by post lookup',
    collected: 'collected from X',
  };
  return collected[source] ?? 'collected before the tracker recorded how (earlier version)';
}

/** The About sheet of a workbook over the window, read now. */
export async function aboutTable(
  db: Db,
  campaign: Campaign,
  window: { from: Date; to: Date },
  generatedAt: Date,
): Promise<Table> {
  const [record, collectedAt, sources] = await Promise.all([
    coverage(db, campaign, window),
    lastCollectedAt(db, campaign.id),
    windowSources(db, campaign, window),
  ]);
  const when = (at: Date) => {
    const local = localParts(at, campaign.timezone);
    return `${local.date} ${local.time} ${campaign.timezone} (${at.toISOString()})`;
  };
  const rows: Array<{ topic: string; text: string }> = [
    {
      topic: 'campaign',
      text: `${campaign.name} (${campaign.slug}), home account @${campaign.home_username}`,
    },
    { topic: 'window', text: `from ${when(window.from)} up to, not including, ${when(window.to)}` },
    { topic: 'timezone', text: campaign.timezone },
    { topic: 'exported at', text: when(generatedAt) },
    {
      topic: 'data collected',
      text: collectedAt
        ? `last successful collection run ended ${when(collectedAt)}`
        : 'no collection run yet',
    },
    ...metricDefinitions.en.map(({ topic, text }) => ({ topic, text })),
  ];
  const gaps = coverageGaps(record.hours);
  if (gaps.length === 0)
    rows.push({ topic: 'coverage', text: 'every hour of the window was collected without a gap on record' });
  for (const gap of gaps) {
    rows.push({ topic: 'coverage gap', text: `${when(gap.from)} to ${when(gap.to)}: ${gap.reason}` });
  }
  for (const row of sources.posts) {
    rows.push({
      topic: 'posts from',
      text: `${describeSource(row.source)}: ${row.count} campaign post(s) published from ${when(row.first)} to ${when(row.last)}`,
    });
  }
  for (const row of sources.followerReadings) {
    rows.push({
      topic: 'follower readings from',
      text: `${describeSource(row.source)}: ${row.count} reading(s) of the home and watchlist accounts, taken from ${when(row.first)} to ${when(row.last)}`,
    });
  }
  return {
    name: 'About these numbers',
    key: 'about',
    columns: [
      { key: 'topic', header: 'topic', type: 'text', width: 24 },
      { key: 'text', header: 'about these numbers', type: 'text', width: 120 },
    ],
    rows,
  };
}

export interface CoverageGap {
  from: Date;
  to: Date;
  reason: string;
}

/**
 * Runs of consecutive hours with the same shortcoming: not (yet) collected, or searches that stopped
 * on X's rate limit or failed.
 */
export function coverageGaps(hours: CoverageHour[]): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const [index, hour] of hours.entries()) {
    const reasons = [
      describeCollection[hour.collection],
      hour.rateLimited > 0 ? "searches paused on X's rate limit" : undefined,
      hour.failed > 0 ? 'collection runs failed' : undefined,
    ].filter((reason): reason is string => reason !== undefined);
    if (reasons.length === 0) continue;
    const reason = reasons.join('; ');
    const end = hours[index + 1]?.at ?? new Date(hour.at.getTime() + 3600_000);
    const last = gaps.at(-1);
    if (last && last.reason === reason && last.to.getTime() === hour.at.getTime()) last.to = end;
    else gaps.push({ from: hour.at, to: end, reason });
  }
  return gaps;
}
