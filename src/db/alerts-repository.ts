import { type Insertable, sql } from 'kysely';
import type { Db } from './database.ts';
import type { CampaignAlertSettingsTable } from './schema.ts';

/**
 * Alerts of a campaign: its settings (from the campaign file), the last value seen of each watched
 * figure (`alert_marks`), and the alerts themselves (created once per key, claimed before sending).
 * src/alerts/check.ts says how they make each alert created and sent once.
 */

type AlertSettingsValues = Omit<Insertable<CampaignAlertSettingsTable>, 'campaign_id'>;

/** Makes the campaign's settings these values; none removes them. */
export async function saveAlertSettingsRow(
  db: Db,
  campaignId: number,
  values: AlertSettingsValues | undefined,
): Promise<void> {
  if (!values) {
    await db.deleteFrom('campaign_alert_settings').where('campaign_id', '=', campaignId).execute();
    return;
  }
  await db
    .insertInto('campaign_alert_settings')
    .values({ campaign_id: campaignId, ...values })
    .onConflict((oc) => oc.column('campaign_id').doUpdateSet(values))
    .execute();
}

export async function alertSettingsOf(db: Db, campaignId: number) {
  return db
    .selectFrom('campaign_alert_settings')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
}

/** The last value seen of a figure, its row locked until the transaction ends. */
export async function lockMark(db: Db, campaignId: number, subject: string) {
  return db
    .selectFrom('alert_marks')
    .select(['value', 'observed_at'])
    .where('campaign_id', '=', campaignId)
    .where('subject', '=', subject)
    .forUpdate()
    .executeTakeFirst();
}

export async function saveMark(
  db: Db,
  campaignId: number,
  subject: string,
  value: number,
  observedAt: Date,
): Promise<void> {
  await db
    .insertInto('alert_marks')
    .values({ campaign_id: campaignId, subject, value, observed_at: observedAt })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'subject']).doUpdateSet({ value, observed_at: observedAt }),
    )
    .execute();
}

/** Creates the alert unless the campaign has one of that key; its key when created. */
export async function createAlert(
  db: Db,
  campaignId: number,
  alert: { key: string; text: string },
  observedAt: Date,
): Promise<string | undefined> {
  const inserted = await db
    .insertInto('alerts')
    .values({ campaign_id: campaignId, key: alert.key, text: alert.text, observed_at: observedAt })
    .onConflict((oc) => oc.columns(['campaign_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted?.key;
}

/**
 * Claims the campaign's oldest alert still to send (unsent, tried fewer than `maxAttempts` times,
 * not claimed by another sender) for a minute of database time, counting the attempt.
 */
export async function claimNextAlert(db: Db, campaignId: number, maxAttempts: number) {
  return db
    .updateTable('alerts')
    .set({ claimed_until: sql<Date>`now() + interval '1 minute'`, attempts: sql<number>`attempts + 1` })
    .where(
      'id',
      '=',
      db
        .selectFrom('alerts')
        .select('id')
        .where('campaign_id', '=', campaignId)
        .where('sent_at', 'is', null)
        .where('attempts', '<', maxAttempts)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', sql<Date>`now()`)]))
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'text'])
    .executeTakeFirst();
}

/** Releases a claimed alert whose sending failed, saying why. */
export async function alertFailed(db: Db, alertId: string, error: string): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ claimed_until: null, last_error: error })
    .where('id', '=', alertId)
    .execute();
}

export async function alertSent(db: Db, alertId: string): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ sent_at: sql<Date>`now()`, claimed_until: null, last_error: null })
    .where('id', '=', alertId)
    .execute();
}
