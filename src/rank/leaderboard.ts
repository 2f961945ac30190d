import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Campaign } from '../db/schema.ts';

export const metrics = ['posts'] as const;
export type Metric = (typeof metrics)[number];
export const scopes = ['all', 'watchlist'] as const;
export type Scope = (typeof scopes)[number];

export interface LeaderboardQuery {
  metric: Metric;
  scope: Scope;
  /** window [from, to); defaults to the campaign window */
  from?: Date;
  to?: Date;
  limit?: number;
}

export interface LeaderboardRow {
  rank: number;
  accountId: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  value: number;
  isHome: boolean;
}

export interface Leaderboard {
  metric: Metric;
  scope: Scope;
  from: Date;
  to: Date;
  /** accounts ranked (with a value above zero) */
  total: number;
  rows: LeaderboardRow[];
  /** the home account's row, also when it is outside `rows` (pinned on screen) */
  home: LeaderboardRow | null;
}

/**
 * Ranks the campaign's accounts on a metric (definitions in the README). Standard competition
 * ranking: equal values share a rank (1, 2, 2, 4); display order breaks ties by username.
 */
export async function leaderboard(db: Db, campaign: Campaign, query: LeaderboardQuery): Promise<Leaderboard> {
  const from = query.from ?? campaign.window_start;
  const to = query.to ?? campaign.window_end;
  const limit = query.limit ?? 50;

  // posts: posts, replies and quotes matched by any campaign query, authored in the window.
  // A post matched by two queries counts once; deleted posts do not count.
  const ranked = db
    .with('authored', (qb) =>
      qb
        .selectFrom('posts as p')
        .select(['p.author_id', sql<number>`count(*)::int`.as('value')])
        .where('p.created_at', '>=', from)
        .where('p.created_at', '<', to)
        .where('p.kind', '<>', 'repost')
        .where('p.deleted', '=', false)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('campaign_posts as cp')
              .select(sql`1`.as('one'))
              .whereRef('cp.post_id', '=', 'p.id')
              .where('cp.campaign_id', '=', campaign.id),
          ),
        )
        .$if(query.scope === 'watchlist', (qb) =>
          qb.where(
            'p.author_id',
            'in',
            db
              .selectFrom('campaign_accounts')
              .select('account_id')
              .where('campaign_id', '=', campaign.id)
              .where('account_id', 'is not', null),
          ),
        )
        .groupBy('p.author_id'),
    )
    .with('ranked', (qb) =>
      qb
        .selectFrom('authored as a')
        .innerJoin('accounts as acc', 'acc.id', 'a.author_id')
        .select([
          'acc.id as accountId',
          'acc.username',
          'acc.name',
          'acc.profile_image_url as profileImageUrl',
          'a.value',
          sql<number>`rank() over (order by a.value desc)::int`.as('rank'),
          sql<number>`row_number() over (order by a.value desc, lower(acc.username), acc.id)::int`.as(
            'position',
          ),
          sql<boolean>`lower(acc.username) = lower(${campaign.home_username})`.as('isHome'),
          sql<number>`count(*) over ()::int`.as('total'),
        ]),
    )
    .selectFrom('ranked')
    .selectAll()
    .where((eb) => eb.or([eb('position', '<=', limit), eb('isHome', '=', true)]))
    .orderBy('position');

  const rows = await ranked.execute();
  const toRow = ({ position: _p, total: _t, ...row }: (typeof rows)[number]): LeaderboardRow => row;
  const home = rows.find((row) => row.isHome);
  return {
    metric: query.metric,
    scope: query.scope,
    from,
    to,
    total: rows[0]?.total ?? 0,
    rows: rows.filter((row) => row.position <= limit).map(toRow),
    home: home ? toRow(home) : null,
  };
}
