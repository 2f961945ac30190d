import type { Db } from '../db/database.ts';
import { followerReadings } from '../db/follower-readings-repository.ts';
import type { Campaign, Network } from '../db/schema.ts';
import type { FollowerMetric, NetworkChoice, Scope } from './metrics.ts';
import type { Span } from './windows.ts';

/**
 * Follower metrics, read from follower readings (src/db/follower-readings-repository.ts):
 *
 * - followers at t: the latest reading at or before t;
 * - the starting point of a growth over [from, end]: the latest reading at or before `from`, else
 *   the earliest reading after `from` and at or before `end`;
 * - growth: followers at `end` minus the starting point; in %: relative to the starting point,
 *   nothing (not ranked) when the starting point is 0 or missing.
 */

interface Reading {
  value: number;
  at: Date;
}

export interface FollowerAccount {
  accountId: string;
  network: Network;
  mentionKey: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
  onWatchlist: boolean;
  /** first campaign post (any kind) the account authored in the window, if any */
  firstAuthoredAt: Date | null;
  atFrom: Reading | null;
  firstAfterFrom: Reading | null;
  /** latest reading at or before each of the `ends` */
  atEnds: Array<number | null>;
}

/**
 * The readings of every account that can take part in a follower board of the window: the
 * watchlist, and (scope `all`) the accounts with readings that authored a campaign post in it, on
 * the networks asked for.
 * `ends` are the instants to read followers at (the window's end and the movement references).
 */
export async function followerAccounts(
  db: Db,
  campaign: Campaign,
  scope: Scope,
  network: NetworkChoice,
  window: Span,
  ends: Date[],
): Promise<FollowerAccount[]> {
  const rows = await followerReadings(db, campaign, scope === 'watchlist', network, window, ends);
  return rows.map((row) => ({
    accountId: row.account_id,
    network: row.network,
    mentionKey: row.mention_key,
    username: row.username,
    name: row.name,
    profileImageUrl: row.profile_image_url,
    onWatchlist: row.on_watchlist,
    firstAuthoredAt: row.first_authored_at,
    atFrom: row.from_value === null || !row.from_at ? null : { value: row.from_value, at: row.from_at },
    firstAfterFrom:
      row.after_value === null || !row.after_at ? null : { value: row.after_value, at: row.after_at },
    atEnds: row.end_values,
  }));
}

/**
 * The account's value of a follower metric for the window ending at `ends[index]`, or null when it
 * has none (no reading, no starting point, a starting point of 0 for the %, or not in the scope).
 */
export function followerValue(
  account: FollowerAccount,
  metric: FollowerMetric,
  scope: Scope,
  end: Date,
  index: number,
): number | null {
  const inScope =
    scope === 'watchlist' ||
    account.onWatchlist ||
    (account.firstAuthoredAt !== null && account.firstAuthoredAt < end);
  const atEnd = account.atEnds[index] ?? null;
  if (!inScope || atEnd === null) return null;
  if (metric === 'followers') return atEnd;
  const start =
    account.atFrom ??
    (account.firstAfterFrom && account.firstAfterFrom.at <= end ? account.firstAfterFrom : null);
  if (!start) return null;
  const growth = atEnd - start.value;
  if (metric === 'follower_growth') return growth;
  // The same operations as the ground truth's, so equal ratios are equal floats.
  return start.value > 0 ? (growth / start.value) * 100 : null;
}
