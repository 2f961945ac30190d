import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types, in one place. X ids are 64-bit: `bigint` in SQL, `string` here (the pg driver
 * returns int8 as text, and the PGlite connection is set up to do the same).
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** int8 aggregates and ids come back as strings. */
type Int8 = ColumnType<string, string | bigint | number, string | bigint | number>;

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
  query: string;
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
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface AccountTable {
  id: Int8;
  username: string;
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

export interface CampaignAccountTable {
  campaign_id: number;
  username: string;
  role: AccountRole;
  /** known once the username has been looked up on X */
  account_id: Int8 | null;
  /** newest post of this account's timeline stored: the `since_id` of the next read */
  timeline_newest_id: Int8 | null;
  added_at: CreatedAt;
}

export type PostKind = 'post' | 'reply' | 'quote' | 'repost';

export interface PostTable {
  id: Int8;
  author_id: Int8;
  created_at: Timestamp;
  text: string;
  lang: string | null;
  kind: PostKind;
  referenced_post_id: Int8 | null;
  conversation_id: Int8 | null;
  hashtags: ColumnType<string[], string[], string[]>;
  /** lower-cased usernames from the post's entities */
  mentions: ColumnType<string[], string[], string[]>;
  like_count: number;
  repost_count: number;
  reply_count: number;
  quote_count: number;
  bookmark_count: number | null;
  impression_count: Int8 | null;
  metrics_observed_at: Timestamp;
  deleted: Generated<boolean>;
  first_seen_at: Timestamp;
}

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
  following_count: number;
  post_count: number;
  listed_count: number;
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
}

export type RunOutcome = 'running' | 'ok' | 'failed' | 'rate_limited';

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
  outcome: RunOutcome;
  error: string | null;
}

export interface Database {
  campaigns: CampaignTable;
  campaign_queries: CampaignQueryTable;
  accounts: AccountTable;
  campaign_accounts: CampaignAccountTable;
  posts: PostTable;
  campaign_posts: CampaignPostTable;
  account_snapshots: AccountSnapshotTable;
  post_metric_snapshots: PostMetricSnapshotTable;
  collection_runs: CollectionRunTable;
}

export type Campaign = Selectable<CampaignTable>;
export type NewCampaign = Insertable<CampaignTable>;
export type CampaignUpdate = Updateable<CampaignTable>;
export type CampaignQuery = Selectable<CampaignQueryTable>;
export type Account = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
export type Post = Selectable<PostTable>;
export type NewPost = Insertable<PostTable>;
export type NewAccountSnapshot = Insertable<AccountSnapshotTable>;
export type CollectionRun = Selectable<CollectionRunTable>;
