import { type Kysely, sql } from 'kysely';

// The budget of X reads (pay-per-use: X bills each post and user read, and the same resource read
// twice in one UTC day once).
// - x_reads: every resource read, once per UTC day. Its primary key is the billing rule: an insert
//   that conflicts is a read X does not bill again, whichever worker made it. Only today's rows
//   matter; older days are pruned.
// - collection_runs: what each run read, what X billed of it, its estimated cost, and the worst-case
//   cost of the request in flight (reserved_usd, as of reserved_at in database time), so that
//   concurrent runs of a campaign never spend past its budget together. `budget` is the outcome of
//   a run stopped by the budget or the monthly cap.
// - x_usage: the last reading of /2/usage/tweets (X's own count of posts read this month against
//   the project's cap), shared by every worker and shown by the dashboard; one row.
// - campaigns.budget_monthly_usd: the campaign file's `budget.monthly_usd` (null: no budget).
const statements = [
  `create table x_reads (
      day date not null,
      kind text not null check (kind in ('post', 'user')),
      id bigint not null,
      primary key (day, kind, id)
    )`,
  `create table x_usage (
      singleton boolean primary key default true check (singleton),
      project_usage bigint not null,
      project_cap bigint not null,
      cap_reset_days integer,
      read_at timestamptz not null
    )`,
  `alter table collection_runs
     add column posts_read integer not null default 0,
     add column users_read integer not null default 0,
     add column posts_billed integer not null default 0,
     add column users_billed integer not null default 0,
     add column counts_requests integer not null default 0,
     add column cost_usd numeric(14, 6) not null default 0,
     add column reserved_usd numeric(14, 6) not null default 0,
     add column reserved_at timestamptz`,
  'alter table collection_runs drop constraint collection_runs_outcome_check',
  `alter table collection_runs add constraint collection_runs_outcome_check
     check (outcome in ('running', 'ok', 'failed', 'rate_limited', 'budget'))`,
  // Spent this month, per campaign: a range over this index.
  'create index collection_runs_campaign_started_idx on collection_runs (campaign_id, started_at)',
  'alter table campaigns add column budget_monthly_usd numeric(12, 2) check (budget_monthly_usd > 0)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const undo = [
    'alter table campaigns drop column budget_monthly_usd',
    'drop index collection_runs_campaign_started_idx',
    `update collection_runs set outcome = 'failed' where outcome = 'budget'`,
    'alter table collection_runs drop constraint collection_runs_outcome_check',
    `alter table collection_runs add constraint collection_runs_outcome_check
       check (outcome in ('running', 'ok', 'failed', 'rate_limited'))`,
    `alter table collection_runs
       drop column posts_read, drop column users_read, drop column posts_billed, drop column users_billed,
       drop column counts_requests, drop column cost_usd, drop column reserved_usd, drop column reserved_at`,
    'drop table x_usage',
    'drop table x_reads',
  ];
  for (const statement of undo) await sql.raw(statement).execute(db);
}
