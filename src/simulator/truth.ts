import { compileQuery, postTarget } from './query/match.ts';
import type { GroundTruth, SimPost, SimUser } from './types.ts';

export interface TruthInput {
  users: readonly SimUser[];
  posts: readonly SimPost[];
  queries: readonly string[];
  window: { start: Date; end: Date };
}

export type LeaderboardRow = ReturnType<GroundTruth['postsLeaderboard']>[number];

/**
 * The answers the tracker must reproduce, computed from the scenario itself with the same query
 * semantics the simulated search applies.
 */
export function createGroundTruth(input: TruthInput): GroundTruth {
  const usersById = new Map(input.users.map((user) => [user.id, user]));
  const usersByName = new Map(input.users.map((user) => [user.username.toLowerCase(), user]));
  const postsById = new Map(input.posts.map((post) => [post.id, post]));
  const queries = input.queries.map(compileQuery);

  // Which posts the campaign collects, decided once: the match does not depend on the window.
  const campaign: SimPost[] = [];
  for (const post of input.posts) {
    if (post.kind === 'repost') continue;
    const author = usersById.get(post.authorId);
    if (!author) throw new Error(`post ${post.id} has an unknown author ${post.authorId}`);
    const parent = post.kind === 'reply' && post.referencedId ? postsById.get(post.referencedId) : undefined;
    const target = postTarget(post, author, parent ? usersById.get(parent.authorId) : undefined);
    if (queries.some((query) => query.test(target))) campaign.push(post);
  }

  return {
    postsLeaderboard(window = { from: input.window.start, to: input.window.end }) {
      const fromMs = window.from.getTime();
      const toMs = window.to.getTime();
      const counts = new Map<string, number>();
      for (const post of campaign) {
        const ms = post.createdAt.getTime();
        if (ms >= fromMs && ms < toMs) counts.set(post.authorId, (counts.get(post.authorId) ?? 0) + 1);
      }
      const rows = [...counts].map(([authorId, value]) => ({
        authorId,
        username: usersById.get(authorId)?.username ?? authorId,
        value,
      }));
      return rankRows(rows);
    },
    followerSeries(username, at) {
      const user = usersByName.get(username.toLowerCase());
      if (!user) throw new RangeError(`no account @${username} in this scenario`);
      return at.map((t) => user.followersAt(t));
    },
  };
}

/** Standard competition ranking (1, 2, 2, 4); equal values are listed by username, case-insensitively. */
export function rankRows(rows: Array<Omit<LeaderboardRow, 'rank'>>): LeaderboardRow[] {
  const sorted = [...rows].sort(
    (a, b) =>
      b.value - a.value ||
      compareText(a.username.toLowerCase(), b.username.toLowerCase()) ||
      compareText(a.authorId, b.authorId),
  );
  let rank = 0;
  return sorted.map((row, index) => {
    if (index === 0 || sorted[index - 1]?.value !== row.value) rank = index + 1;
    return { rank, username: row.username, authorId: row.authorId, value: row.value };
  });
}

/** Code-unit order, like SQL's C collation: no locale decides where `_` sorts. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
