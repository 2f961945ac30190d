import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { watchedAccounts } from '../db/overview-repository.ts';
import type { Campaign } from '../db/schema.ts';
import { type Network, networkOfHandle } from '../networks/types.ts';
import { followerGrowthSeries, type Series } from '../present/chart-options.ts';
import type { Lang } from '../present/i18n.ts';
import { followerAccounts, followerValue } from '../rank/followers.ts';
import { leaderboard } from '../rank/leaderboard.ts';
import type { Interval, Metric, NetworkChoice, Scope } from '../rank/metrics.ts';
import { overview } from '../rank/overview.ts';
import { accountSeries, type SeriesPoint } from '../rank/series.ts';
import type { Row, Table } from './table.ts';

/**
 * The rows of each export, read through src/rank so that every figure is the ranking API's own:
 * follower series and growth from the same functions as the leaderboard, the board itself, the
 * overview; only the posts are read directly, page by page.
 */

/** The exports that are tables (CSV, XLSX, JSON; PNG for the ones over time). */
export const tableKinds = ['followers', 'leaderboard', 'posts', 'overview'] as const;
export type TableKind = (typeof tableKinds)[number];

export interface ExportWindow {
  from: Date;
  to: Date;
  /** the accounts and posts of one network, or of every network (default) */
  network?: NetworkChoice | undefined;
}

export interface FollowerOptions extends ExportWindow {
  interval: Interval;
  /** handles (the network told by their form); default: the home entity's and the watchlist's accounts */
  accounts?: string[] | undefined;
}

export interface AccountFollowers {
  network: Network;
  username: string;
  isHome: boolean;
  points: SeriesPoint[];
  /** the growth's starting point (the follower_growth metric's), when there is one */
  start: { value: number; at: Date } | null;
  /** followers at the window's end (the followers metric), growth and growth % over the window */
  end: number | null;
  growth: number | null;
  growthPct: number | null;
}

const at = (username: string) => `@${username}`;

/**
 * The accounts a follower export covers: the ones asked for, else the home entity's accounts then
 * its peers', on the network asked for.
 */
async function followerTargets(db: Db, campaign: Campaign, options: FollowerOptions) {
  const network = options.network ?? 'all';
  const targets =
    options.accounts && options.accounts.length > 0
      ? options.accounts.map((handle) => ({ network: networkOfHandle(handle), handle, isHome: false }))
      : await watchedAccounts(db, campaign);
  return targets.filter((target) => network === 'all' || target.network === network);
}

/** Each account's followers per interval, with the growth figures of the leaderboard. */
export async function accountFollowers(
  db: Db,
  campaign: Campaign,
  options: FollowerOptions,
): Promise<AccountFollowers[]> {
  const targets = await followerTargets(db, campaign, options);
  const window = { from: options.from, to: options.to };
  const readings = await followerAccounts(db, campaign, 'all', 'all', window, [options.to]);
  const keyOf = (network: Network, handle: string) => `${network} ${handle.toLowerCase()}`;
  const byHandle = new Map(readings.map((account) => [keyOf(account.network, account.username), account]));
  return Promise.all(
    targets.map(async ({ network, handle, isHome }) => {
      const points = await accountSeries(
        db,
        campaign,
        { network, handle },
        {
          metric: 'followers',
          interval: options.interval,
          from: options.from,
          to: options.to,
        },
      );
      const account = byHandle.get(keyOf(network, handle));
      const value = (metric: 'followers' | 'follower_growth' | 'follower_growth_pct') =>
        account ? followerValue(account, metric, 'watchlist', options.to, 0) : null;
      const start =
        account?.atFrom ??
        (account?.firstAfterFrom && account.firstAfterFrom.at <= options.to ? account.firstAfterFrom : null);
      return {
        network,
        username: account?.username ?? handle,
        isHome: isHome || (network === 'x' && handle.toLowerCase() === campaign.home_username.toLowerCase()),
        points,
        start: start ?? null,
        end: value('followers'),
        growth: value('follower_growth'),
        growthPct: value('follower_growth_pct'),
      };
    }),
  );
}

/** The follower chart of the PNG export and the PDF report: growth from the metric's own start reading. */
export function followerChartSeries(lang: Lang, accounts: AccountFollowers[]): Series[] {
  return followerGrowthSeries(
    lang,
    accounts.map((account) => ({
      username: account.username,
      emphasis: account.isHome,
      start: account.start?.value,
      points: account.points.map((point) => ({ at: point.at.toISOString(), value: point.value })),
    })),
  );
}

/** One row per account and interval: followers (last reading), change since the previous row, in %. */
export function followerGrowthTable(accounts: AccountFollowers[]): Table {
  const rows: Row[] = [];
  for (const account of accounts) {
    let previous = account.start?.value ?? null;
    for (const point of account.points) {
      const change = previous === null ? null : point.value - previous;
      rows.push({
        account: at(account.username),
        network: account.network,
        interval_start: point.at,
        followers: point.value,
        change,
        change_pct: change === null || !previous ? null : (change / previous) * 100,
        source: point.source ?? null,
      });
      previous = point.value;
    }
  }
  return {
    name: 'Follower growth',
    key: 'rows',
    columns: [
      { key: 'account', header: 'account', type: 'text', width: 18 },
      { key: 'network', header: 'network', type: 'text', width: 9 },
      { key: 'interval_start', header: 'interval start', type: 'instant', width: 18 },
      { key: 'followers', header: 'followers', type: 'integer', width: 11 },
      { key: 'change', header: 'change', type: 'integer', width: 9 },
      { key: 'change_pct', header: 'change %', type: 'number', width: 10 },
      // A count kept by hand or exported from X's analytics, or one the tracker read itself.
      { key: 'source', header: 'source', type: 'text', width: 10 },
    ],
    rows,
  };
}

/** The headline figures of the follower export: each account's start, end and growth over the window. */
export function followerSummaryTable(accounts: AccountFollowers[]): Table {
  return {
    name: 'Headline figures',
    key: 'summary',
    columns: [
      { key: 'account', header: 'account', type: 'text', width: 18 },
      { key: 'network', header: 'network', type: 'text', width: 9 },
      { key: 'home', header: 'home account', type: 'boolean', width: 8 },
      { key: 'followers_start', header: 'followers at start', type: 'integer', width: 12 },
      { key: 'start_reading', header: 'start reading', type: 'instant', width: 18 },
      { key: 'followers_end', header: 'followers at end', type: 'integer', width: 12 },
      { key: 'follower_growth', header: 'follower growth', type: 'integer', width: 12 },
      { key: 'follower_growth_pct', header: 'follower growth %', type: 'number', width: 12 },
    ],
    rows: accounts.map((account) => ({
      account: at(account.username),
      network: account.network,
      home: account.isHome,
      followers_start: account.start?.value ?? null,
      start_reading: account.start?.at ?? null,
      followers_end: account.end,
      follower_growth: account.growth,
      follower_growth_pct: account.growthPct,
    })),
  };
}

export interface BoardOptions extends ExportWindow {
  metric: Metric;
  scope: Scope;
  limit: number;
  asOf: Date;
}

/** The leaderboard, as the ranking API answers it (the home row pinned at the end when outside the top). */
export async function leaderboardTable(db: Db, campaign: Campaign, options: BoardOptions): Promise<Table> {
  const { metric, scope, from, to, limit, asOf } = options;
  const network = options.network ?? 'all';
  const board = await leaderboard(db, campaign, { metric, scope, network, from, to, limit, asOf });
  const rows = [...board.rows];
  if (board.home && !rows.some((row) => row.accountId === board.home?.accountId)) rows.push(board.home);
  return {
    name: `Leaderboard (${options.metric})`.slice(0, 31),
    key: 'rows',
    columns: [
      { key: 'rank', header: 'rank', type: 'integer', width: 7 },
      { key: 'account', header: 'account', type: 'text', width: 18 },
      { key: 'network', header: 'network', type: 'text', width: 9 },
      { key: 'name', header: 'name', type: 'text', width: 28 },
      { key: 'account_id', header: 'account id', type: 'id', width: 21 },
      { key: 'value', header: options.metric, type: 'number', width: 12 },
      { key: 'rank_hour_ago', header: 'rank an hour before', type: 'integer', width: 10 },
      { key: 'rank_day_start', header: 'rank at the start of the day', type: 'integer', width: 10 },
      { key: 'home', header: 'home account', type: 'boolean', width: 8 },
    ],
    rows: rows.map((row) => ({
      rank: row.rank,
      // An entity summing several accounts has no one handle: its name stands for it.
      account:
        row.entity && row.entity.handle === null ? row.entity.name : at(row.entity?.handle ?? row.username),
      // An entity's row sums its accounts on the networks it has: they are listed.
      network: row.entity && row.entity.handle === null ? row.entity.networks.join(' + ') : row.network,
      name: row.name,
      account_id: row.accountId,
      value: row.value,
      rank_hour_ago: row.rankHourAgo,
      rank_day_start: row.rankDayStart,
      home: row.isHome,
    })),
  };
}

/** Posts per page of the posts export: memory stays bounded by one page, whatever the campaign's size. */
export const postsPageSize = 5_000;

export interface PostsOptions extends ExportWindow {
  accounts?: string[] | undefined;
  /** called after each page is read, with the number of posts read so far */
  onProgress?: ((written: number) => void) | undefined;
}

interface PostRow {
  /** the surrogate key the pages are read by */
  post_id: string;
  /** the post's and its author's ids on their network (X: the same ids) */
  id: string;
  author_id: string;
  network: Network;
  username: string;
  created_at: Date;
  kind: string;
  text: string;
  lang: string | null;
  like_count: number;
  repost_count: number;
  reply_count: number;
  quote_count: number;
  engagement: string;
  impression_count: string | null;
  hashtags: string[];
  mentions: string[];
  queries: string[];
}

/** How many campaign posts the posts export will write (for a progress bar). */
export async function countPosts(db: Db, campaign: Campaign, options: PostsOptions): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from rank_posts l
    where ${postFilter(campaign, options)}`.execute(db);
  return rows[0]?.n ?? 0;
}

function postFilter(campaign: Campaign, options: PostsOptions) {
  const authors = options.accounts?.map((name) => name.toLowerCase());
  const network = options.network ?? 'all';
  // Handles of different networks never look alike (docs/ARCHITECTURE.md): the handle names the account.
  return sql`l.campaign_id = ${campaign.id}
    and l.created_at >= ${options.from.toISOString()}::timestamptz
    and l.created_at < ${options.to.toISOString()}::timestamptz
    ${
      authors && authors.length > 0
        ? sql`and l.author_id in (select id from accounts where lower(username) = any(${authors}::text[]))`
        : sql``
    }
    ${network === 'all' ? sql`` : sql`and l.author_id in (select id from accounts where network = ${network})`}`;
}

/**
 * The campaign's posts of the window (every kind; deleted posts no longer count and are left out),
 * in id order, read by keyset pages over the rollup's primary key (campaign_id, post_id): each page
 * is one short index range, and nothing but the current page is held.
 */
export async function* campaignPosts(db: Db, campaign: Campaign, options: PostsOptions): AsyncGenerator<Row> {
  let after: string | null = null;
  let written = 0;
  for (;;) {
    const { rows }: { rows: PostRow[] } = await sql<PostRow>`
      select l.post_id, coalesce(p.native_id, p.id::text) as id, coalesce(a.native_id, a.id::text) as author_id,
        a.network, a.username, l.created_at, p.kind, p.text, p.lang,
        p.like_count, p.repost_count, p.reply_count, p.quote_count, l.engagement, p.impression_count,
        p.hashtags, p.mentions,
        array(select q.query from campaign_queries q where q.id = any(l.query_ids) order by q.id) as queries
      from rank_posts l
      join posts p on p.id = l.post_id
      join accounts a on a.id = l.author_id
      where ${postFilter(campaign, options)} ${after === null ? sql`` : sql`and l.post_id > ${after}::bigint`}
      order by l.post_id
      limit ${postsPageSize}`.execute(db);
    written += rows.length;
    options.onProgress?.(written);
    for (const row of rows) {
      yield {
        post_id: row.id,
        author_id: row.author_id,
        account: at(row.username),
        network: row.network,
        created_at: new Date(row.created_at),
        kind: row.kind,
        text: row.text,
        lang: row.lang,
        likes: row.like_count,
        reposts: row.repost_count,
        replies: row.reply_count,
        quotes: row.quote_count,
        engagement: Number(row.engagement),
        impressions: row.impression_count === null ? null : Number(row.impression_count),
        hashtags: row.hashtags.map((tag) => `#${tag}`).join(' '),
        mentions: row.mentions.map(at).join(' '),
        queries: row.queries.join(' | '),
      };
    }
    const last = rows.at(-1);
    if (!last || rows.length < postsPageSize) return;
    after = last.post_id;
  }
}

export function postsTable(db: Db, campaign: Campaign, options: PostsOptions): Table {
  return {
    name: 'Posts',
    key: 'rows',
    columns: [
      { key: 'post_id', header: 'post id', type: 'id', width: 21 },
      { key: 'author_id', header: 'author id', type: 'id', width: 21 },
      { key: 'account', header: 'account', type: 'text', width: 18 },
      { key: 'network', header: 'network', type: 'text', width: 9 },
      { key: 'created_at', header: 'created', type: 'instant', width: 18 },
      { key: 'kind', header: 'kind', type: 'text', width: 8 },
      { key: 'text', header: 'text', type: 'text', width: 60 },
      { key: 'lang', header: 'language', type: 'text', width: 8 },
      { key: 'likes', header: 'likes', type: 'integer', width: 8 },
      { key: 'reposts', header: 'reposts', type: 'integer', width: 8 },
      { key: 'replies', header: 'replies', type: 'integer', width: 8 },
      { key: 'quotes', header: 'quotes', type: 'integer', width: 8 },
      { key: 'engagement', header: 'engagement', type: 'integer', width: 10 },
      { key: 'impressions', header: 'impressions', type: 'integer', width: 11 },
      { key: 'hashtags', header: 'hashtags', type: 'text', width: 20 },
      { key: 'mentions', header: 'mentions', type: 'text', width: 20 },
      { key: 'queries', header: 'matched queries', type: 'text', width: 20 },
    ],
    rows: campaignPosts(db, campaign, options),
  };
}

/** The campaign's totals and headline, its activity per query and hour, its most engaging posts. */
export async function overviewTables(
  db: Db,
  campaign: Campaign,
  options: ExportWindow & { asOf: Date },
): Promise<Table[]> {
  const view = await overview(db, campaign, {
    from: options.from,
    to: options.to,
    asOf: options.asOf,
    topPosts: 10,
    network: options.network ?? 'all',
  });
  const home = `@${view.headline.username}`;
  const pct = (share: number | null) => (share === null ? null : share * 100);
  const totals: Array<[string, number | null]> = [
    ['accounts that posted (any kind)', view.uniqueAuthors],
    ['posts, replies and quotes', view.posts],
    ['engagement received', view.engagement],
    [`posts of ${home}`, view.home.posts],
    [`engagement received by ${home}`, view.home.engagement],
    ['share of posts %', pct(view.home.shareOfPosts)],
    ['share of engagement %', pct(view.home.shareOfEngagement)],
    [`followers of ${home}`, view.headline.followers],
    [`follower growth of ${home}`, view.headline.followerGrowth],
    [`rank of ${home} by posts`, view.headline.rank],
    ['accounts ranked by posts', view.headline.total],
    // A campaign on several networks: the same figures on each.
    ...(view.headline.networks.length > 1
      ? view.headline.networks.flatMap(
          (on): Array<[string, number | null]> => [
            [`followers on ${on.network}`, on.followers],
            [`follower growth on ${on.network}`, on.followerGrowth],
            [`rank by posts on ${on.network}`, on.rank],
            [`accounts ranked by posts on ${on.network}`, on.total],
          ],
        )
      : []),
  ];
  return [
    {
      name: 'Totals',
      key: 'totals',
      columns: [
        { key: 'figure', header: 'figure', type: 'text', width: 44 },
        { key: 'value', header: 'value', type: 'number', width: 14 },
      ],
      rows: totals.map(([figure, value]) => ({ figure, value })),
    },
    {
      name: 'Posts per hour',
      key: 'posts_per_hour',
      columns: [
        { key: 'query', header: 'query', type: 'text', width: 24 },
        { key: 'hour', header: 'hour', type: 'instant', width: 18 },
        { key: 'posts', header: 'posts', type: 'integer', width: 8 },
      ],
      rows: view.postsPerHour.flatMap((query) =>
        query.points.map((point) => ({ query: query.query, hour: point.at, posts: point.value })),
      ),
    },
    {
      name: 'Top posts',
      key: 'top_posts',
      columns: [
        { key: 'post_id', header: 'post id', type: 'id', width: 21 },
        { key: 'account', header: 'account', type: 'text', width: 18 },
        { key: 'network', header: 'network', type: 'text', width: 9 },
        { key: 'created_at', header: 'created', type: 'instant', width: 18 },
        { key: 'text', header: 'text', type: 'text', width: 60 },
        { key: 'engagement', header: 'engagement', type: 'integer', width: 10 },
        { key: 'impressions', header: 'impressions', type: 'integer', width: 11 },
      ],
      rows: view.topPosts.map((post) => ({
        post_id: post.nativeId,
        account: at(post.username),
        network: post.network,
        created_at: post.createdAt,
        text: post.text,
        engagement: post.engagement,
        impressions: post.impressions,
      })),
    },
  ];
}
