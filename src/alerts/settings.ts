import { z } from 'zod';
import { saveAlertSettingsRow } from '../db/alerts-repository.ts';
import type { Db } from '../db/database.ts';

/** The ranking metrics of the design; an alert on one the ranking does not compute yet waits for it. */
export const alertMetrics = [
  'posts',
  'reposts',
  'engagement',
  'impressions',
  'mentions',
  'followers',
  'follower_growth',
  'follower_growth_pct',
] as const;

/** "500, 1,000…": then 2,000, 5,000, 10,000 and so on. */
export const defaultMilestones = [
  500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000,
];

/**
 * The campaign file's optional `alerts:` key:
 *
 * ```yaml
 * alerts:
 *   webhook: https://hooks.slack.com/services/…   # Slack or Mattermost incoming webhook
 *   language: fr                                  # en (default) or fr
 *   rank: [posts, engagement]                     # metrics whose rank moves are announced (default: posts)
 *   followers: [500, 1000]                        # follower milestones (default: 500, 1,000, 2,000, 5,000…)
 * ```
 *
 * The webhook address is a secret (anyone holding it can post to the channel): keep such a
 * campaign file out of public repositories.
 */
export const alertsSchema = z.strictObject({
  webhook: z.string().refine(
    (value) => {
      try {
        return ['https:', 'http:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: 'expected the http(s) address of a Slack or Mattermost incoming webhook' },
  ),
  language: z.enum(['en', 'fr'], { error: 'expected en or fr' }).default('en'),
  rank: z
    .array(z.enum(alertMetrics, { error: `expected one of: ${alertMetrics.join(', ')}` }))
    .default(['posts'])
    .transform((metrics) => [...new Set(metrics)]),
  followers: z
    .array(z.number().int('expected whole numbers of followers').positive('expected follower counts above 0'))
    .default(defaultMilestones)
    .transform((milestones) => [...new Set(milestones)].sort((a, b) => a - b)),
});

export type AlertSettings = z.output<typeof alertsSchema>;

/** Makes the database hold the file's alert settings; no `alerts:` key removes them. */
export async function saveAlertSettings(
  db: Db,
  campaignId: number,
  settings: AlertSettings | undefined,
): Promise<void> {
  await saveAlertSettingsRow(
    db,
    campaignId,
    settings && {
      webhook_url: settings.webhook,
      language: settings.language,
      rank_metrics: settings.rank,
      follower_milestones: settings.followers,
    },
  );
}
