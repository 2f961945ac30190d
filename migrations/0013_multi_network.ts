import { type Kysely, sql } from 'kysely';

/*
 * Issues 14 and 19: every account and post belongs to one network, identified by (network, native
 * id); campaigns follow entities (the home organisation and the watchlist) with an account on each
 * network, and queries per network. docs/ARCHITECTURE.md "Multi-network storage" is the contract.
 *
 * - The bigint surrogate keys stay, so the rollups, foreign keys and indexes built for X keep
 *   working unchanged: an X row keeps its X id (positive), a Bluesky or Mastodon row takes the next
 *   value of a descending sequence (the column default), so ids of two networks never collide.
 * - `native_id` is null on X rows, whose native id is `id` itself: the X writers (the tuned page
 *   statement of src/db/posts.ts, imports, fixtures) stay as they are, and the X write path pays no
 *   second copy of its key. Nulls never conflict, so (network, native_id) is unique for the others.
 * - `mention_key` names an account in `posts.mentions` across networks: X `lower(username)`, a
 *   Bluesky DID, a Mastodon account uri. An X username never holds `:`, a DID or a uri always does.
 * - Every existing row is carried over as `x`; each watched username becomes one entity, named by it.
 */
const networks = `('x', 'bluesky', 'mastodon')`;

const statements = [
  'create sequence network_account_ids increment by -1 start with -1',
  'create sequence network_post_ids increment by -1 start with -1',

  `alter table accounts
     add column network text not null default 'x' check (network in ${networks}),
     add column native_id text,
     add constraint accounts_native_id_check check ((network = 'x') = (native_id is null)),
     add constraint accounts_network_native_id_key unique (network, native_id),
     alter column id set default nextval('network_account_ids')`,
  `alter table accounts add column mention_key text not null
     generated always as (case when network = 'x' then lower(username) else native_id end) stored`,
  'create index accounts_mention_key_idx on accounts (mention_key)',

  `alter table posts
     add column network text not null default 'x' check (network in ${networks}),
     add column native_id text,
     add column referenced_native_id text,
     add constraint posts_native_id_check check ((network = 'x') = (native_id is null)),
     add constraint posts_network_native_id_key unique (network, native_id),
     alter column id set default nextval('network_post_ids')`,

  `alter table campaign_queries
     add column network text not null default 'x' check (network in ${networks}),
     add column instance text not null default '',
     add column cursor jsonb,
     drop constraint campaign_queries_campaign_id_query_key,
     add constraint campaign_queries_campaign_id_network_instance_query_key
       unique (campaign_id, network, instance, query)`,

  `create table campaign_entities (
      id serial primary key,
      campaign_id integer not null references campaigns (id) on delete cascade,
      name text not null,
      role text not null check (role in ('home', 'peer')),
      position integer not null
    )`,
  'create unique index campaign_entities_name_idx on campaign_entities (campaign_id, lower(name))',
  `insert into campaign_entities (campaign_id, name, role, position)
   select campaign_id, username, role,
     row_number() over (partition by campaign_id order by role = 'home' desc, added_at, username) - 1
   from campaign_accounts`,

  `alter table campaign_accounts
     add column network text not null default 'x' check (network in ${networks}),
     add column entity_id integer references campaign_entities (id) on delete cascade`,
  `update campaign_accounts w set entity_id = e.id
   from campaign_entities e
   where e.campaign_id = w.campaign_id and lower(e.name) = lower(w.username)`,
  'alter table campaign_accounts alter column entity_id set not null',
  'drop index campaign_accounts_username_idx',
  `create unique index campaign_accounts_network_username_idx
     on campaign_accounts (campaign_id, network, lower(username))`,
  'create index campaign_accounts_entity_idx on campaign_accounts (entity_id)',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: the extended protocol used for parameters refuses several at once.
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * Back to X alone: the rows of the other networks are deleted (the first wave cannot hold them),
 * and the rollups rebuilt from what stays rather than folded at commit from changes staged against
 * accounts that are gone by then.
 */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `delete from campaign_posts where post_id in (select id from posts where network <> 'x')`,
    `delete from post_metric_snapshots where post_id in (select id from posts where network <> 'x')`,
    `delete from posts where network <> 'x'`,
    `delete from account_snapshots where account_id in (select id from accounts where network <> 'x')`,
    `delete from campaign_accounts where network <> 'x'`,
    `delete from accounts where network <> 'x'`,
    `delete from campaign_queries where network <> 'x'`,
    'delete from rank_pending where txid = txid_current()',
    'delete from rank_pending_names where txid = txid_current()',
    'delete from rank_pending_txn where txid = txid_current()',
    'select rank_rebuild(id) from campaigns',

    'drop index campaign_accounts_entity_idx, campaign_accounts_network_username_idx',
    'create unique index campaign_accounts_username_idx on campaign_accounts (campaign_id, lower(username))',
    'alter table campaign_accounts drop column entity_id, drop column network',
    'drop table campaign_entities',

    `alter table campaign_queries
       drop constraint campaign_queries_campaign_id_network_instance_query_key,
       add constraint campaign_queries_campaign_id_query_key unique (campaign_id, query),
       drop column cursor, drop column instance, drop column network`,

    `alter table posts
       alter column id drop default,
       drop column referenced_native_id, drop column native_id, drop column network`,
    `alter table accounts
       alter column id drop default,
       drop column mention_key, drop column native_id, drop column network`,
    'drop sequence network_post_ids, network_account_ids',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
