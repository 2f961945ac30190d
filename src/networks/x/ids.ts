/** X's snowflake epoch: ids carry their creation time in their upper bits. */
const xEpochMs = 1288834974657n;

/** When the post with this id was created (ms since 1970). */
export function postIdTime(id: string): number {
  return Number((BigInt(id) >> 22n) + xEpochMs);
}

/** Recent search only looks 7 days back and refuses a `since_id` older than that. */
export const recentSearchReachMs = 7 * 24 * 3600_000;
