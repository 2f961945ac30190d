import { type Kysely, sql } from 'kysely';

// Webhook alerts of a campaign: its settings (from the campaign file), the last value seen of each
// watched figure (to tell a move from a first reading), and one row per alert — unique per key,
// so that an alert is created once however many processes evaluate the same write.
const statements = [
  `create table campaign_alert_settings (
      campaign_id integer primary key references campaigns (id) on delete cascade,
      webhook_url text not null,
      language text not null check (language in ('en', 'fr')),
      rank_metrics text[] not null,
      follower_milestones integer[] not null
    )`,
  `create table alert_marks (
      campaign_id integer not null references campaigns (id) on delete cascade,
      subject text not null,
      value double precision not null,
      observed_at timestamptz not null,
      primary key (campaign_id, subject)
    )`,
  `create table alerts (
      id bigserial primary key,
      campaign_id integer not null references campaigns (id) on delete cascade,
      key text not null,
      text text not null,
      observed_at timestamptz not null,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      claimed_until timestamptz,
      sent_at timestamptz,
      last_error text,
      unique (campaign_id, key)
    )`,
  'create index alerts_unsent_idx on alerts (campaign_id, id) where sent_at is null',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop table alerts, alert_marks, campaign_alert_settings').execute(db);
}
