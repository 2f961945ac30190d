import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * Table types, in one place. X ids are 64-bit: `bigint` in SQL, `string` here (the pg driver
 * returns int8 as text, and the PGlite connection is set up to do the same).
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** int8 aggregates and ids come back as strings. */
type Int8 = ColumnType<string, string | bigint | number, string | bigint | number>;
/** An account or post id: an X row names its X id, the others take the next negative id (migration 0013). */
type RowId = ColumnType<string, string | bigint | number | undefined, string | bigint | number>;

/** The networks a campaign follows; every account, post, query and watched account belongs to one. */
export type Network = 'x' | 'bluesky' | 'mastodon';

export interface CampaignTable {
  id: Generated<number>;
  slug: string;
  name: string;
  timezone: string;
  window_start: Timestamp;
  window_end: Timestamp;
  home_username: string;
  /** cron patterns: { live, snapshots, nightly } */
  schedule: ColumnType<CampaignSchedule, string, string>;
  paused: Generated<boolean>;
  /** the campaign file's `budget.monthly_usd`; numeric comes back as a string; null: no budget */
  budget_monthly_usd: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CampaignSchedule {
  live: string;
  snapshots: string;
  nightly: string;
}

export interface CampaignQueryTable {
  id: Generated<number>;
  campaign_id: number;
  network: Generated<Network>;
  /** a Mastodon query's instance (its base URL); '' on the other networks */
  instance: Generated<string>;
  /** X search syntax, a Bluesky search, or a Mastodon tag (lower case, without #) */
  query: string;
  /** a Bluesky or Mastodon collector's own cursor, moved with the rows it covers (X keeps the columns below) */
  cursor: ColumnType<unknown, string | null | undefined, string | null>;
  /** newest post id stored for this query: the `since_id` of the next poll */
  newest_id: Int8 | null;
  /** `next_token` where the walk back stopped; null before it starts and after it ends */
  backfill_token: string | null;
  backfill_done: Generated<boolean>;
  /** the backfill walks back from below this id (the oldest post of the first poll) */
  backfill_until_id: Int8 | null;
  /** where an interrupted poll resumes, and the cursor it will set when it completes */
  poll_next_token: string | null;
  poll_newest_id: Int8 | null;
  /** the archive walk covers [campaign window start, archive_end): fixed when the walk starts */
  archive_end: Timestamp | null;
  /** `next_token` of search/all where the archive walk stopped */
  archive_token: string | null;
  archive_done: Generated<boolean>;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface AccountTable {
  id: RowId;
  network: Generated<Network>;
  /** Bluesky DID, Mastodon account uri; null on X, whose native id is `id` */
  native_id: string | null;
  /** the handle: X username, Bluesky handle, Mastodon user@instance */
  username: string;
  /** how posts.mentions names the account: X lower(username), elsewhere native_id (generated) */
  mention_key: ColumnType<string, never, never>;
  name: string;
  description: string | null;
  profile_image_url: string | null;
  verified: boolean | null;
  created_at: Timestamp | null;
  suspended: Generated<boolean>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export type AccountRole = 'home' | 'peer';

/** The home organisation and the watchlist, in the campaign file's order (home first). */
export interface CampaignEntityTable {
  id: Generated<number>;
  campaign_id: number;
  name: string;
  role: AccountRole;
  position: number;
}

/** An entity's account on one network. */
export interface CampaignAccountTable {
  campaign_id: number;
  network: Generated<Network>;
  entity_id: number;
  /** the handle on the network (X username, Bluesky handle, Mastodon user@instance) */
  username: string;
  role: AccountRole;
  /** known once the handle has been looked up on its network */
  account_id: Int8 | null;
  /** newest post of this account's timeline stored: the `since_id` of the next read */
  timeline_newest_id: Int8 | null;
  /** X's answer to the last lookup of this handle that did not resolve it; null once it resolves */
  lookup_problem: string | null;
  added_at: CreatedAt;
}

export type PostKind = 'post' | 'reply' | 'quote' | 'repost';

export interface PostTable {
  id: RowId;
  network: Generated<Network>;
  /** `at://` URI, Mastodon status uri; null on X, whose native id is `id` */
  native_id: string | null;
  author_id: Int8;
  created_at: Timestamp;
  text: string;
  lang: string | null;
  kind: PostKind;
  /** the referenced X post; elsewhere see referenced_native_id */
  referenced_post_id: Int8 | null;
  referenced_native_id: Generated<string | null>;
  conversation_id: Int8 | null;
  hashtags: ColumnType<string[], string[], string[]>;
  /** mention keys of the accounts mentioned (accounts.mention_key) */
  mentions: ColumnType<string[], string[], string[]>;
  like_count: number;
  repost_count: number;
  reply_count: number;
  quote_count: number;
  bookmark_count: number | null;
  /** null where the network reports none (off X): "not available", never 0 */
  impression_count: Int8 | null;
  metrics_observed_at: Timestamp;
  deleted: Generated<boolean>;
  first_seen_at: Timestamp;
  /** how the post first came: a PostSource; null for posts stored before provenance was kept */
  source: string | null;
}

/**
 * How a post or reading came: recent search, the full archive, a timeline, a metrics refresh
 * (lookup), a follower snapshot (collected), or a file (`import:<file name>`).
 */
export type PostSource = 'recent' | 'archive' | 'timeline' | 'lookup' | `import:${string}`;

export interface CampaignPostTable {
  campaign_id: number;
  query_id: number;
  post_id: Int8;
  matched_at: Timestamp;
}

export interface AccountSnapshotTable {
  account_id: Int8;
  observed_at: Timestamp;
  followers_count: number;
  /** null on imported readings, which know the followers only */
  following_count: number | null;
  post_count: number | null;
  listed_count: number | null;
  /** the schedule tick the reading was taken for (null for readings outside schedules) */
  tick: Generated<string | null>;
  /** `collected`, or `import:<file name>` for readings kept elsewhere and imported */
  source: Generated<string>;
}

export interface PostMetricSnapshotTable {
  post_id: Int8;
  observed_at: Timestamp;
  like_count: number;
  repost_count: number;
  reply_count: number;
  quote_count: number;
  bookmark_count: number | null;
  impression_count: Int8 | null;
  /** how the reading came (PostSource); null before provenance was kept */
  source: string | null;
}

/** `budget`: stopped before the campaign's monthly budget or X's monthly cap would be passed. */
export type RunOutcome = 'running' | 'ok' | 'failed' | 'rate_limited' | 'budget';

/** US dollars as PostgreSQL numeric: a string when read, to keep its exact decimals. */
type Usd = ColumnType<string, string | number | undefined, string | number>;

export interface CollectionRunTable {
  id: ColumnType<string, never, never>;
  campaign_id: number | null;
  kind: string;
  target: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  requests: Generated<number>;
  posts_new: Generated<number>;
  posts_updated: Generated<number>;
  /** posts and users X returned (each a billable read) */
  posts_read: Generated<number>;
  users_read: Generated<number>;
  /** of those, the ones not already read earlier the same UTC day: what X bills */
  posts_billed: Generated<number>;
  users_billed: Generated<number>;
  /** /2/tweets/counts/recent requests (billed per request) */
  counts_requests: Generated<number>;
  /** estimated cost of the run, from the price table in force when it ran */
  cost_usd: Usd;
  /** worst-case cost of the request in flight, counted against the budget until the next one */
  reserved_usd: Usd;
  reserved_at: Timestamp | null;
  /** payload entries that did not parse and were left out (the rest of their page was kept) */
  entries_skipped: Generated<number>;
  /** the queue job the run ran for (`queue:id`); null for `tracker collect` */
  job: string | null;
  outcome: RunOutcome;
  error: string | null;
}

/** One row per resource read per UTC day: the primary key is X's "billed once a day" rule. */
export interface XReadTable {
  day: ColumnType<string, string, string>;
  kind: 'post' | 'user';
  id: Int8;
}

/** Webhook alerts of a campaign, from its file's `alerts:` key (src/alerts). */
export interface CampaignAlertSettingsTable {
  campaign_id: number;
  webhook_url: string;
  language: 'en' | 'fr';
  rank_metrics: ColumnType<string[], string[], string[]>;
  follower_milestones: ColumnType<number[], number[], number[]>;
}

/** The last value seen of a watched figure (`rank:posts`, `followers`): a change from it is a move. */
export interface AlertMarkTable {
  campaign_id: number;
  subject: string;
  value: number;
  observed_at: Timestamp;
}

/** One row per alert, unique per (campaign, key): created once, sent once. */
export interface AlertTable {
  id: ColumnType<string, never, never>;
  campaign_id: number;
  key: string;
  text: string;
  observed_at: Timestamp;
  created_at: CreatedAt;
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  sent_at: Timestamp | null;
  last_error: string | null;
}

/**
 * Leaderboard rollups (migrations/0002_rank_rollups.ts), written only by triggers inside PostgreSQL:
 * read them, never write them from here.
 */
export interface RankPostTable {
  campaign_id: number;
  post_id: Int8;
  author_id: Int8;
  created_at: Timestamp;
  repost: boolean;
  /** likes + reposts + replies + quotes; 0 for a repost */
  engagement: Int8;
  impressions: Int8;
  /** mention keys (accounts.mention_key) mentioned, the author's own left out; empty for a repost */
  mentions: string[];
  query_ids: number[];
}

export interface RankTotalsTable {
  campaign_id: number;
  account_id: Int8;
  posts: number;
  reposts: number;
  engagement: Int8;
  impressions: Int8;
}

export interface RankDailyTable extends RankTotalsTable {
  /** start of the day in the campaign's timezone */
  day: Timestamp;
}

export interface RankMentionsTable {
  campaign_id: number;
  username: string;
  mentions: number;
}

export interface RankMentionsDailyTable extends RankMentionsTable {
  day: Timestamp;
}

export interface RankQueryHourlyTable {
  campaign_id: number;
  query_id: number;
  /** start of the hour in the campaign's timezone */
  hour: Timestamp;
  posts: number;
}

/** Per (campaign, network): the accounts above zero and the sums of each network's accounts. */
export interface RankCountsTable {
  campaign_id: number;
  network: Network;
  accounts_posts: number;
  accounts_reposts: number;
  accounts_engagement: number;
  accounts_impressions: number;
  authors: number;
  sum_posts: Int8;
  sum_reposts: Int8;
  sum_engagement: Int8;
  sum_impressions: Int8;
}

/** The last /2/usage/tweets reading (one row): X's count of posts read this month, and the cap. */
export interface XUsageTable {
  singleton: Generated<boolean>;
  project_usage: Int8;
  project_cap: Int8;
  /** days left before X's monthly count restarts, as of `read_at` */
  cap_reset_days: number | null;
  /** wall-clock time of the reading (X counts in real time) */
  read_at: Timestamp;
}

/** A profile image fetched once (migration 0016): the image of `source_url`, or why there is none. */
export interface AccountAvatarTable {
  account_id: Int8;
  source_url: string;
  content_type: string | null;
  body: Uint8Array | null;
  /** hex digest of `body`: the ETag the dashboard serves it with */
  sha256: string | null;
  failure: string | null;
  fetched_at: Timestamp;
}

export interface Database {
  campaigns: CampaignTable;
  campaign_queries: CampaignQueryTable;
  campaign_entities: CampaignEntityTable;
  accounts: AccountTable;
  campaign_accounts: CampaignAccountTable;
  posts: PostTable;
  campaign_posts: CampaignPostTable;
  account_snapshots: AccountSnapshotTable;
  post_metric_snapshots: PostMetricSnapshotTable;
  collection_runs: CollectionRunTable;
  x_reads: XReadTable;
  x_usage: XUsageTable;
  rank_posts: RankPostTable;
  rank_totals: RankTotalsTable;
  rank_daily: RankDailyTable;
  rank_mentions: RankMentionsTable;
  rank_mentions_daily: RankMentionsDailyTable;
  rank_query_hourly: RankQueryHourlyTable;
  rank_counts: RankCountsTable;
  campaign_alert_settings: CampaignAlertSettingsTable;
  alert_marks: AlertMarkTable;
  alerts: AlertTable;
  account_avatars: AccountAvatarTable;
}

export type Campaign = Selectable<CampaignTable>;
export type CampaignQuery = Selectable<CampaignQueryTable>;
export type Account = Selectable<AccountTable>;
export type CollectionRun = Selectable<CollectionRunTable>;
