import { sql } from 'kysely';
import { watchlist } from '../db/campaigns.ts';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';
import { followerGrowthSeries, type Series } from '../present/chart-options.ts';
import type { Lang } from '../present/i18n.ts';
import { followerAccounts, followerValue } from '../rank/followers.ts';
import { leaderboard } from '../rank/leaderboard.ts';
import type { Interval, Metric, Scope } from '../rank/metrics.ts';
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
}

export interface FollowerOptions extends ExportWindow {
  interval: Interval;
  /** usernames; default: the home account and the watchlist */
  accounts?: string[] | undefined;
}

export interface AccountFollowers {
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

/** The usernames a follower export covers: the ones asked for, else the home account and its peers. */
export async function followerUsernames(db: Db, campaign: Campaign, accounts?: string[]): Promise<string[]> {
  if (accounts && accounts.length > 0) return accounts;
  const list = await watchlist(db, campaign.id);
  const home = list.filter((row) => row.role === 'home').map((row) => row.username);
  return [
    ...(home.length > 0 ? home : [campaign.home_username]),
    ...list.filter((row) => row.role === 'peer').map((row) => row.username),
  ];
}

/** Each account's followers per interval, with the growth figures of the leaderboard. */
export async function accountFollowers(
  db: Db,
  campaign: Campaign,
  options: FollowerOptions,
): Promise<AccountFollowers[]> {
  const usernames = await followerUsernames(db, campaign, options.accounts);
  const window = { from: options.from, to: options.to };
  const readings = await followerAccounts(db, campaign, 'all', 'all', window, [options.to]);
  const byName = new Map(readings.map((account) => [account.username.toLowerCase(), account]));
  return Promise.all(
    usernames.map(async (username) => {
      const points = await accountSeries(db, campaign, username, {
        metric: 'followers',
        interval: options.interval,
        from: options.from,
        to: options.to,
      });
      const account = byName.get(username.toLowerCase());
      const value = (metric: 'followers' | 'follower_growth' | 'follower_growth_pct') =>
        account ? followerValue(account, metric, 'watchlist', options.to, 0) : null;
      const start =
        account?.atFrom ??
        (account?.firstAfterFrom && account.firstAfterFrom.at <= options.to ? account.firstAfterFrom : null);
      return {
        username: account?.username ?? username,
        isHome: username.toLowerCase() === campaign.home_username.toLowerCase(),
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
      { key: 'home', header: 'home account', type: 'boolean', width: 8 },
      { key: 'followers_start', header: 'followers at start', type: 'integer', width: 12 },
      { key: 'start_reading', header: 'start reading', type: 'instant', width: 18 },
      { key: 'followers_end', header: 'followers at end', type: 'integer', width: 12 },
      { key: 'follower_growth', header: 'follower growth', type: 'integer', width: 12 },
      { key: 'follower_growth_pct', header: 'follower growth %', type: 'number', width: 12 },
    ],
    rows: accounts.map((account) => ({
      account: at(account.username),
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
  const board = await leaderboard(db, campaign, { metric, scope, from, to, limit, asOf });
  const rows = [...board.rows];
  if (board.home && !rows.some((row) => row.accountId === board.home?.accountId)) rows.push(board.home);
  return {
    name: `Leaderboard (${options.metric})`.slice(0, 31),
    key: 'rows',
    columns: [
      { key: 'rank', header: 'rank', type: 'integer', width: 7 },
      { key: 'account', header: 'account', type: 'text', width: 18 },
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
  id: string;
  author_id: string;
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
  return sql`l.campaign_id = ${campaign.id}
    and l.created_at >= ${options.from.toISOString()}::timestamptz
    and l.created_at < ${options.to.toISOString()}::timestamptz
    ${
      authors && authors.length > 0
        ? sql`and l.author_id in (select id from accounts where lower(username) = any(${authors}::text[]))`
        : sql``
    }`;
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
      select l.post_id as id, l.author_id, a.username, l.created_at, p.kind, p.text, p.lang,
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
    after = last.id;
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
  });
  const pct = (share: number | null) => (share === null ? null : share * 100);
  const totals: Array<[string, number | null]> = [
    ['accounts that posted (any kind)', view.uniqueAuthors],
    ['posts, replies and quotes', view.posts],
    ['engagement received', view.engagement],
    [`posts of @${campaign.home_username}`, view.home.posts],
    [`engagement received by @${campaign.home_username}`, view.home.engagement],
    ['share of posts %', pct(view.home.shareOfPosts)],
    ['share of engagement %', pct(view.home.shareOfEngagement)],
    [`followers of @${campaign.home_username}`, view.headline.followers],
    [`follower growth of @${campaign.home_username}`, view.headline.followerGrowth],
    [`rank of @${campaign.home_username} by posts`, view.headline.rank],
    ['accounts ranked by posts', view.headline.total],
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
        { key: 'created_at', header: 'created', type: 'instant', width: 18 },
        { key: 'text', header: 'text', type: 'text', width: 60 },
        { key: 'engagement', header: 'engagement', type: 'integer', width: 10 },
        { key: 'impressions', header: 'impressions', type: 'integer', width: 11 },
      ],
      rows: view.topPosts.map((post) => ({
        post_id: post.id,
        account: at(post.username),
        created_at: post.createdAt,
        text: post.text,
        engagement: post.engagement,
        impressions: post.impressions,
      })),
    },
  ];
}
