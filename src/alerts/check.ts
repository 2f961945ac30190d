import {
  alertFailed,
  alertSent,
  alertSettingsOf,
  claimNextAlert,
  createAlert,
  lockMark,
  saveMark,
} from '../db/alerts-repository.ts';
import { campaignById } from '../db/campaign-repository.ts';
import type { Db } from '../db/database.ts';
import { latestFollowersOfUsername } from '../db/follower-readings-repository.ts';
import { followedNetworks, homeHandlesOf } from '../db/overview-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { leaderboard, type Metric, metrics as rankedMetrics } from '../rank/leaderboard.ts';
import { type AlertDraft, milestoneAlert, rankAlert, type Subject, webhookMessage } from './rules.ts';
import type { SendWebhook } from './webhook.ts';

/** A failing webhook is tried again at the next checks, this many times in all. */
const maxAttempts = 5;

export interface CheckResult {
  /** keys of the alerts this check created */
  created: string[];
  sent: number;
  failed: number;
}

interface Reading {
  /**
   * `rank:<metric>` or `followers`; on a campaign of several networks, `rank:<metric>:<network>` and
   * `followers:<network>` for each, `rank:<metric>` being the rank across networks
   */
  subject: string;
  value: number;
  /** the home account the figure is of (its handle on the network), and where it is read */
  username: string;
  where: Subject['where'];
}

/**
 * Evaluates a campaign's alerts after a write, and sends what is pending. Call it whenever the
 * campaign's data changed (the `campaign updated` channel); calling it twice, or from several
 * processes at once, creates and sends each alert once:
 *
 * - the last value seen of each figure (`alert_marks`) is read and moved in one transaction, rows
 *   locked: of two concurrent checks, the second sees the first one's value, hence no move;
 * - a check older than the mark (`now` before its `observed_at`) changes nothing;
 * - alerts are unique per (campaign, key), and a sender claims an alert before posting it.
 *
 * The first reading of a figure only sets its mark: a campaign applied when its home account
 * already has 5,000 followers announces nothing until a milestone is passed.
 */
export async function checkAlerts(
  db: Db,
  campaignId: number,
  now: Date,
  send: SendWebhook,
): Promise<CheckResult> {
  const settings = await alertSettingsOf(db, campaignId);
  if (!settings) return { created: [], sent: 0, failed: 0 };
  const campaign = await campaignById(db, campaignId);
  if (!campaign) return { created: [], sent: 0, failed: 0 };

  const readings = await readFigures(db, campaign, settings.rank_metrics, now);
  const created = await recordReadings(db, campaign.id, readings, now, (reading, previous) => {
    const subject = {
      campaignName: campaign.name,
      username: reading.username,
      language: settings.language,
      where: reading.where,
    };
    const [kind, metric = ''] = reading.subject.split(':');
    if (kind === 'followers') {
      return milestoneAlert(subject, settings.follower_milestones, previous, reading.value);
    }
    return rankAlert(subject, metric, previous, reading.value);
  });
  return { created, ...(await deliver(db, campaign.id, settings.webhook_url, send)) };
}

/**
 * The home account's rank on each metric the ranking computes, and its latest follower count, on
 * the campaign's network; on a campaign of several networks, on each of them and the rank across.
 */
async function readFigures(db: Db, campaign: Campaign, metrics: string[], now: Date): Promise<Reading[]> {
  const ranked = metrics.filter((metric): metric is Metric =>
    (rankedMetrics as readonly string[]).includes(metric),
  );
  const [networks, handles] = await Promise.all([
    followedNetworks(db, campaign),
    homeHandlesOf(db, campaign),
  ]);
  const several = networks.length > 1;
  const places = [
    ...networks.map((network) => ({
      network,
      suffix: several ? `:${network}` : '',
      where: { network, inKey: several },
      username: handles.get(network) ?? campaign.home_username,
    })),
    ...(several
      ? [
          {
            network: 'all' as const,
            suffix: '',
            where: { network: 'all' as const, inKey: true },
            username: '',
          },
        ]
      : []),
  ];
  const readings = await Promise.all(
    places.flatMap((place) => [
      ...ranked.map(async (metric): Promise<Reading | null> => {
        const board = await leaderboard(db, campaign, {
          metric,
          scope: 'all',
          network: place.network,
          limit: 1,
        });
        if (!board.home) return null;
        // Across networks the best-ranked home account is the one named.
        const username = place.username || board.home.username;
        return {
          subject: `rank:${metric}${place.suffix}`,
          value: board.home.rank,
          username,
          where: place.where,
        };
      }),
      ...(place.network === 'all'
        ? []
        : [
            latestFollowersOfUsername(db, place.username, now).then((followers): Reading | null =>
              followers === null
                ? null
                : {
                    subject: `followers${place.suffix}`,
                    value: followers,
                    username: place.username,
                    where: place.where,
                  },
            ),
          ]),
    ]),
  );
  return readings.filter((reading): reading is Reading => reading !== null);
}

async function recordReadings(
  db: Db,
  campaignId: number,
  readings: Reading[],
  now: Date,
  alertFor: (reading: Reading, previous: number) => AlertDraft | null,
): Promise<string[]> {
  if (readings.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const created: string[] = [];
    // Always the same order of subjects: two checks lock their rows in the same order.
    for (const reading of [...readings].sort((a, b) => a.subject.localeCompare(b.subject))) {
      const mark = await lockMark(trx, campaignId, reading.subject);
      if (mark && mark.observed_at > now) continue;
      await saveMark(trx, campaignId, reading.subject, reading.value, now);
      const draft = mark ? alertFor(reading, mark.value) : null;
      if (!draft) continue;
      const key = await createAlert(trx, campaignId, draft, now);
      if (key) created.push(key);
    }
    return created;
  });
}

/**
 * Sends the campaign's pending alerts, oldest first. Each is claimed for a minute before it is
 * posted (database time: the demo's clock runs fast), so two senders never post the same one. A
 * failure stops the round: the webhook is down, the next check tries again.
 */
async function deliver(
  db: Db,
  campaignId: number,
  webhookUrl: string,
  send: SendWebhook,
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  for (;;) {
    const claimed = await claimNextAlert(db, campaignId, maxAttempts);
    if (!claimed) return { sent, failed: 0 };
    try {
      await send(webhookUrl, webhookMessage(claimed.text));
    } catch (error) {
      await alertFailed(db, claimed.id, error instanceof Error ? error.message : String(error));
      return { sent, failed: 1 };
    }
    await alertSent(db, claimed.id);
    sent++;
  }
}
