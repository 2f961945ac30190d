import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import type { Metric, NetworkChoice, Scope } from '../../src/rank/metrics.ts';

/**
 * The metric definitions written as the straightforward query: a GROUP BY over `posts` and
 * `campaign_posts` for the window, no rollup. It is the baseline of `npm run bench` and the oracle
 * the tests hold the rollups to; it reads the same tables the collector writes and nothing else.
 * Mentions name accounts by mention key (an X username lower-cased, a Bluesky DID, a Mastodon
 * account uri); watched handles are looked up on their own network; the home row is the home
 * entity's best-ranked account.
 */

export interface ReferenceQuery {
  metric: Metric;
  scope: Scope;
  from: Date;
  to: Date;
  /** rows on show (all when absent); the home row always comes along */
  limit?: number;
  /** the accounts of one network (default: all) */
  network?: NetworkChoice;
  /**
   * Read a first-wave database (before migration 0013: X alone, mentions named by lower-cased
   * usernames), as tests/integration/first-wave-migration.test.ts does before migrating it.
   */
  firstWave?: boolean;
}

export interface ReferenceRow {
  rank: number;
  accountId: string;
  username: string;
  value: number;
  isHome: boolean;
  /** accounts ranked */
  total: number;
}

export async function referenceLeaderboard(
  db: Db,
  campaign: Campaign,
  query: ReferenceQuery,
): Promise<ReferenceRow[]> {
  const from = sql`${query.from.toISOString()}::timestamptz`;
  const to = sql`${query.to.toISOString()}::timestamptz`;
  const campaignPosts = sql`
    select p.* from posts p
    where p.created_at >= ${from} and p.created_at < ${to} and not p.deleted
      and exists (select 1 from campaign_posts cp where cp.post_id = p.id and cp.campaign_id = ${campaign.id})`;
  const watched = (role: RawBuilder<unknown>) => sql`
    select coalesce(w.account_id, (select n.id from accounts n
      where ${query.firstWave ? sql`true` : sql`n.network = w.network`} and lower(n.username) = lower(w.username)
      order by n.last_seen_at desc, n.id limit 1)) as id
    from campaign_accounts w where w.campaign_id = ${campaign.id} and ${role}`;
  const watchlist = watched(sql`true`);
  const network = query.network ?? 'all';
  const members =
    query.scope === 'watchlist'
      ? watchlist
      : sql`${watchlist} union select author_id from (${campaignPosts}) cp`;
  const firstWave = query.firstWave ?? false;
  const percent = query.metric === 'follower_growth_pct';
  // Entities (0013 on): the watchlist scope ranks each entity on the sum of its accounts' values.
  const byEntity = query.scope === 'watchlist' && !firstWave;
  const values = valuesOf(
    byEntity && percent ? 'follower_growth' : query.metric,
    campaignPosts,
    from,
    to,
    firstWave,
  );
  const followers = percent
    ? valuesOf('followers', campaignPosts, from, to, firstWave)
    : sql`select null::bigint, null::float8`;
  const accountValues = sql`select a.id as account_id, a.username, v.value, vf.value as followers
    from v join accounts a on a.id = v.account_id
    left join (${followers}) vf(account_id, value) on vf.account_id = v.account_id
    where v.account_id in (select id from member) and v.value is not null
      and ${network === 'all' ? sql`true` : sql`a.network = ${network}`}
      ${query.metric.startsWith('follower') ? sql`` : sql`and v.value > 0`}`;
  // An entity stands on its known account (on the networks asked for) with the smallest id.
  const entityValues = sql`
    select e.stand_in as account_id, e.name as username,
      ${percent ? sql`case when sum(av.followers - av.value) > 0 then (sum(av.value) / sum(av.followers - av.value)) * 100 end` : sql`sum(av.value)`} as value
    from (select w.entity_id, ce.name, a.id, min(a.id) over (partition by w.entity_id) as stand_in
          from campaign_accounts w join campaign_entities ce on ce.id = w.entity_id
          cross join lateral (select coalesce(w.account_id, (select n.id from accounts n
            where n.network = w.network and lower(n.username) = lower(w.username)
            order by n.last_seen_at desc, n.id limit 1)) as id) known
          join accounts a on a.id = known.id
          where w.campaign_id = ${campaign.id}
            and ${network === 'all' ? sql`true` : sql`a.network = ${network}`}) e
    join (${accountValues}) av on av.account_id = e.id
    group by e.entity_id, e.stand_in, e.name`;
  const limit = query.limit ?? 2_147_483_647;
  const { rows } = await sql<ReferenceRow & { position: number }>`
    with member as (select id from (${members}) m where id is not null),
    v as (${values}),
    scored as (${byEntity ? entityValues : accountValues}),
    ranked as (
      select s.account_id as "accountId", s.username, s.value::float8 as value,
        rank() over (order by s.value desc)::int as rank,
        row_number() over (order by s.value desc, lower(s.username) collate "C", s.account_id)::int as position,
        count(*) over ()::int as total,
        s.account_id in (${watched(sql`w.role = 'home'`)}) as "isHome"
      from scored s where s.value is not null
    )
    select * from ranked where position <= ${limit}
      or position = (select min(position) from ranked where "isHome") order by position
  `.execute(db);
  // The home entity's best-ranked account is its home row.
  const home = rows.find((row) => row.isHome);
  return rows.map(({ position, ...row }) => ({
    ...row,
    isHome: position === home?.position,
    value: Number(row.value),
  }));
}

function valuesOf(
  metric: Metric,
  campaignPosts: RawBuilder<unknown>,
  from: RawBuilder<unknown>,
  to: RawBuilder<unknown>,
  firstWave: boolean,
): RawBuilder<unknown> {
  switch (metric) {
    case 'posts':
      return sql`select author_id as account_id, count(*) filter (where kind <> 'repost') as value
        from (${campaignPosts}) p group by author_id`;
    case 'reposts':
      return sql`select author_id as account_id, count(*) filter (where kind = 'repost') as value
        from (${campaignPosts}) p group by author_id`;
    case 'engagement':
      return sql`select author_id as account_id,
          sum(like_count::bigint + repost_count + reply_count + quote_count) filter (where kind <> 'repost') as value
        from (${campaignPosts}) p group by author_id`;
    case 'impressions':
      return sql`select author_id as account_id,
          sum(coalesce(impression_count, 0)) filter (where kind <> 'repost') as value
        from (${campaignPosts}) p group by author_id`;
    case 'mentions': {
      const key = firstWave ? sql`lower(m)` : sql`case when p.network = 'x' then lower(m) else m end`;
      const keyOf = (alias: string) =>
        firstWave ? sql`lower(${sql.ref(`${alias}.username`)})` : sql.ref(`${alias}.mention_key`);
      return sql`
        select named.id as account_id, count(*) as value
        from (
          select distinct p.id, k.key
          from (${campaignPosts}) p
          join accounts author on author.id = p.author_id
          cross join unnest(p.mentions) as m
          cross join lateral (select ${key} as key) k
          where p.kind <> 'repost' and k.key <> ${keyOf('author')}
        ) mention
        cross join lateral (
          select n.id from accounts n where ${keyOf('n')} = mention.key
          order by n.last_seen_at desc, n.id limit 1
        ) named
        group by named.id`;
    }
    case 'followers':
    case 'follower_growth':
    case 'follower_growth_pct': {
      const latest = (instant: RawBuilder<unknown>) => sql`(select s.followers_count from account_snapshots s
        where s.account_id = a.id and s.observed_at <= ${instant} order by s.observed_at desc limit 1)`;
      const start = sql`coalesce(${latest(from)}, (select s.followers_count from account_snapshots s
        where s.account_id = a.id and s.observed_at > ${from} and s.observed_at <= ${to}
        order by s.observed_at limit 1))`;
      const value =
        metric === 'followers'
          ? sql`r.at_to::float8`
          : metric === 'follower_growth'
            ? sql`(r.at_to - r.at_from)::float8`
            : sql`case when r.at_from > 0 then ((r.at_to - r.at_from)::float8 / r.at_from) * 100 end`;
      return sql`select r.id as account_id, ${value} as value
        from (select a.id, ${latest(to)} as at_to, ${start} as at_from from accounts a
              where a.id in (select distinct account_id from account_snapshots)) r
        where r.at_to is not null ${metric === 'followers' ? sql`` : sql`and r.at_from is not null`}`;
    }
  }
}
