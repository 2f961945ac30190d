import { type Kysely, sql } from 'kysely';

// The design's whole data model. X ids are bigint; counts that X reports as 32-bit stay integer,
// impressions can pass 2^31 on a viral post and are bigint.
const schema = [
  `
    create table campaigns (
        id serial primary key,
        slug text not null unique,
        name text not null,
        timezone text not null,
        window_start timestamptz not null,
        window_end timestamptz not null check (window_end > window_start),
        home_username text not null,
        schedule jsonb not null,
        paused boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )
  `,
  `
    create table campaign_queries (
        id serial primary key,
        campaign_id integer not null references campaigns (id) on delete cascade,
        query text not null,
        newest_id bigint,
        backfill_token text,
        backfill_done boolean not null default false,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        unique (campaign_id, query)
      )
  `,
  `
    create table accounts (
        id bigint primary key,
        username text not null,
        name text not null,
        description text,
        profile_image_url text,
        verified boolean,
        created_at timestamptz,
        suspended boolean not null default false,
        first_seen_at timestamptz not null,
        last_seen_at timestamptz not null
      )
  `,
  `
    create index accounts_username_idx on accounts (lower(username))
  `,
  `
    create table campaign_accounts (
        campaign_id integer not null references campaigns (id) on delete cascade,
        username text not null,
        role text not null check (role in ('home', 'peer')),
        account_id bigint references accounts (id),
        added_at timestamptz not null default now()
      )
  `,
  `
    create unique index campaign_accounts_username_idx on campaign_accounts (campaign_id, lower(username))
  `,
  `
    create table posts (
        id bigint primary key,
        author_id bigint not null references accounts (id),
        created_at timestamptz not null,
        text text not null,
        lang text,
        kind text not null check (kind in ('post', 'reply', 'quote', 'repost')),
        referenced_post_id bigint,
        conversation_id bigint,
        hashtags text[] not null default '{}',
        mentions text[] not null default '{}',
        like_count integer not null default 0,
        repost_count integer not null default 0,
        reply_count integer not null default 0,
        quote_count integer not null default 0,
        bookmark_count integer,
        impression_count bigint,
        metrics_observed_at timestamptz not null,
        deleted boolean not null default false,
        first_seen_at timestamptz not null
      )
  `,
  `
    create index posts_author_created_idx on posts (author_id, created_at)
  `,
  `
    create index posts_created_idx on posts (created_at)
  `,
  `
    create table campaign_posts (
        campaign_id integer not null references campaigns (id) on delete cascade,
        query_id integer not null references campaign_queries (id) on delete cascade,
        post_id bigint not null references posts (id),
        matched_at timestamptz not null,
        primary key (campaign_id, query_id, post_id)
      )
  `,
  `
    create index campaign_posts_post_idx on campaign_posts (campaign_id, post_id)
  `,
  `
    create table account_snapshots (
        account_id bigint not null references accounts (id),
        observed_at timestamptz not null,
        followers_count integer not null,
        following_count integer not null,
        post_count integer not null,
        listed_count integer not null,
        primary key (account_id, observed_at)
      )
  `,
  `
    create table post_metric_snapshots (
        post_id bigint not null references posts (id),
        observed_at timestamptz not null,
        like_count integer not null,
        repost_count integer not null,
        reply_count integer not null,
        quote_count integer not null,
        bookmark_count integer,
        impression_count bigint,
        primary key (post_id, observed_at)
      )
  `,
  `
    create table collection_runs (
        id bigserial primary key,
        campaign_id integer references campaigns (id) on delete set null,
        kind text not null,
        target text not null,
        started_at timestamptz not null,
        finished_at timestamptz,
        requests integer not null default 0,
        posts_new integer not null default 0,
        posts_updated integer not null default 0,
        outcome text not null check (outcome in ('running', 'ok', 'failed', 'rate_limited')),
        error text
      )
  `,
  `
    create index collection_runs_started_idx on collection_runs (started_at desc)
  `,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: the extended protocol used for parameters refuses several at once.
  for (const statement of schema) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table collection_runs, post_metric_snapshots, account_snapshots, campaign_posts, posts,
      campaign_accounts, accounts, campaign_queries, campaigns;
  `.execute(db);
}
