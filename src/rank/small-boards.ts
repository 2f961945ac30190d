import type { Db } from '../db/database.ts';
import {
  spanValuesOfAccounts,
  spanValuesOfUsernames,
  watchlistAccounts,
  watchlistEntityAccounts,
} from '../db/leaderboard-repository.ts';
import type { Campaign, Network } from '../db/schema.ts';
import type { Board, EntityRef, Entry, Movement, RankedEntry } from './board.ts';
import { followerAccounts, followerValue } from './followers.ts';
import {
  type ActivityMetric,
  isFollowerMetric,
  type Metric,
  type NetworkChoice,
  type Scope,
} from './metrics.ts';
import { rankRows } from './ranking.ts';
import type { Span } from './windows.ts';

/**
 * Boards small enough to rank in JavaScript: the watchlist, and the follower metrics (read from the
 * snapshots of the accounts that have some). Values are read for the window and for the movement's
 * earlier windows in the same queries, and ranked by the rules of src/rank/ranking.ts. Every ranked
 * row comes back, in display order: `smallBoardOnShow` picks the rows on show once the home is known.
 */
export async function smallBoard(
  db: Db,
  campaign: Campaign,
  query: { metric: Metric; scope: Scope; network: NetworkChoice },
  window: Span,
  refs: Array<Date | null>,
): Promise<{ ranked: RankedEntry[]; movement: Movement }> {
  const ends = [window.to, ...refs];
  const entries =
    query.scope === 'watchlist'
      ? await entityEntries(db, campaign, query, window, ends)
      : await accountEntries(db, campaign, query, window, ends);
  const rankedAt = ends.map((end, index) => {
    if (!end) return new Map<string, number>();
    const scored = entries.flatMap((entry) => {
      const value = entry.values[index];
      return value === null || value === undefined ? [] : [{ ...entry.entry, value }];
    });
    return new Map(rankRows(scored).map((row) => [row.accountId, row.rank]));
  });
  const ranked = rankRows(
    entries.flatMap((entry) => {
      const value = entry.values[0];
      return value === null || value === undefined ? [] : [{ ...entry.entry, value }];
    }),
  );
  const movement: Movement = new Map(
    ranked.map((row) => [
      row.accountId,
      [rankedAt[1]?.get(row.accountId) ?? null, rankedAt[2]?.get(row.accountId) ?? null],
    ]),
  );
  return { ranked, movement };
}

/** The rows on show of a small board, and the home entity's best-ranked account on the networks asked for. */
export function smallBoardOnShow(
  read: { ranked: RankedEntry[]; movement: Movement },
  homeIds: Set<string>,
  limit: number,
): { board: Board; movement: Movement } {
  const home = read.ranked.find((row) => homeIds.has(row.accountId)) ?? null;
  return {
    board: { total: read.ranked.length, rows: read.ranked.slice(0, limit), home },
    movement: read.movement,
  };
}

interface SmallEntry {
  entry: Omit<Entry, 'value'>;
  /** value on [from, end) for each end (null: not ranked on that window) */
  values: Array<number | null>;
}

async function followerEntries(
  db: Db,
  campaign: Campaign,
  query: { metric: Metric; scope: Scope; network: NetworkChoice },
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  const metric = query.metric;
  if (!isFollowerMetric(metric)) return [];
  const instants = ends.map((end) => end ?? window.to);
  const accounts = await followerAccounts(db, campaign, query.scope, query.network, window, instants);
  return accounts.map((account) => ({
    entry: {
      accountId: account.accountId,
      network: account.network,
      mentionKey: account.mentionKey,
      username: account.username,
      name: account.name,
      profileImageUrl: account.profileImageUrl,
    },
    values: ends.map((end, index) => (end ? followerValue(account, metric, query.scope, end, index) : null)),
  }));
}

function accountEntries(
  db: Db,
  campaign: Campaign,
  query: { metric: Metric; scope: Scope; network: NetworkChoice },
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  return isFollowerMetric(query.metric)
    ? followerEntries(db, campaign, query, window, ends)
    : watchlistEntries(db, campaign, query, window, ends);
}

const networkOrder: Network[] = ['x', 'bluesky', 'mastodon'];

/**
 * The watchlist scope ranks entities (the home organisation, each peer): an entity's value is the
 * sum of its accounts' values on the networks asked for (followers summed, growth summed; the % is
 * the summed growth over the summed starting points). An entity none of whose accounts has a value
 * is not ranked. The row stands on the entity's account with the smallest id, which keeps the home
 * test (an account of the home entity) and movement (keyed by account) as they are.
 */
async function entityEntries(
  db: Db,
  campaign: Campaign,
  query: { metric: Metric; scope: Scope; network: NetworkChoice },
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  const valuesOf = async (metric: Metric) =>
    new Map(
      (await accountEntries(db, campaign, { ...query, metric }, window, ends)).map((entry) => [
        entry.entry.accountId,
        entry.values,
      ]),
    );
  const percent = query.metric === 'follower_growth_pct';
  const [values, followers, members, accounts] = await Promise.all([
    valuesOf(percent ? 'follower_growth' : query.metric),
    percent ? valuesOf('followers') : undefined,
    watchlistEntityAccounts(db, campaign, query.network),
    watchlistAccounts(db, campaign, query.network),
  ]);
  const accountById = new Map(accounts.map((account) => [account.accountId, account]));
  const byEntity = new Map<number, { name: string; ids: string[] }>();
  for (const member of members) {
    const entity = byEntity.get(member.entityId) ?? { name: member.entityName, ids: [] };
    entity.ids.push(member.accountId);
    byEntity.set(member.entityId, entity);
  }
  return [...byEntity.values()].flatMap(({ name, ids }) => {
    const standIn = accountById.get(ids.reduce((a, b) => (BigInt(a) <= BigInt(b) ? a : b)));
    if (!standIn) return [];
    const networks = networkOrder.filter((network) =>
      ids.some((id) => accountById.get(id)?.network === network),
    );
    const entity: EntityRef = { name, networks, handle: ids.length === 1 ? standIn.username : null };
    return [
      {
        entry: { ...standIn, username: name, name, entity },
        values: ends.map((_end, index) => {
          const parts = ids.flatMap((id) => {
            const value = values.get(id)?.[index];
            return value === null || value === undefined ? [] : [{ id, value }];
          });
          if (parts.length === 0) return null;
          const sum = parts.reduce((total, { value }) => total + value, 0);
          if (!followers) return sum;
          const start = parts.reduce(
            (total, { id, value }) => total + (followers.get(id)?.[index] ?? 0) - value,
            0,
          );
          return start > 0 ? (sum / start) * 100 : null;
        }),
      },
    ];
  });
}

/** Activity metrics of the watchlist accounts, one query per window end. */
async function watchlistEntries(
  db: Db,
  campaign: Campaign,
  query: { metric: Metric; network: NetworkChoice },
  window: Span,
  ends: Array<Date | null>,
): Promise<SmallEntry[]> {
  const metric = query.metric as ActivityMetric;
  const accounts = await watchlistAccounts(db, campaign, query.network);
  const ids = accounts.map((account) => account.accountId);
  const names = accounts.map((account) => account.mentionKey);
  const valuesAt = await Promise.all(
    ends.map(async (end) => {
      if (!end) return new Map<string, number>();
      const span = { from: window.from, to: end };
      return metric === 'mentions'
        ? spanValuesOfUsernames(db, campaign, span, names)
        : spanValuesOfAccounts(db, campaign, metric, span, ids);
    }),
  );
  return accounts.map((account) => ({
    entry: account,
    values: valuesAt.map((values) => {
      const value = values.get(metric === 'mentions' ? account.mentionKey : account.accountId);
      return value !== undefined && value > 0 ? value : null;
    }),
  }));
}
