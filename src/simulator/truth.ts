import type {
  GroundTruth,
  LeaderboardMetric,
  LeaderboardQuery,
  LeaderboardRow,
  SimPost,
  SimUser,
} from './types.ts';
import { compileQuery, postTarget } from './x/query/match.ts';

export interface TruthInput {
  users: readonly SimUser[];
  /** Ascending id, so ascending createdAt. */
  posts: readonly SimPost[];
  queries: readonly string[];
  window: { start: Date; end: Date };
  homeUsername: string;
  watchlist: readonly string[];
}

export type { LeaderboardRow };

/**
 * The answers the tracker must reproduce, computed from the scenario itself with the same query
 * semantics the simulated search applies. Which posts belong to the campaign is decided once (the match
 * does not depend on the window); each leaderboard then reads the slice of its window.
 */
export function createGroundTruth(input: TruthInput): GroundTruth {
  const usersById = new Map(input.users.map((user) => [user.id, user]));
  const usersByName = new Map(input.users.map((user) => [user.username.toLowerCase(), user]));
  const postsById = new Map(input.posts.map((post) => [post.id, post]));
  const queries = input.queries.map(compileQuery);
  const userNamed = (username: string): SimUser => {
    const user = usersByName.get(username.toLowerCase());
    if (!user) throw new RangeError(`no account @${username} in this scenario`);
    return user;
  };
  const home = userNamed(input.homeUsername);

  const counted: SimPost[] = [];
  const reposts: SimPost[] = [];
  for (const post of input.posts) {
    const author = usersById.get(post.authorId);
    if (!author) throw new Error(`post ${post.id} has an unknown author ${post.authorId}`);
    const parent = post.kind === 'reply' && post.referencedId ? postsById.get(post.referencedId) : undefined;
    const target = postTarget(post, author, parent ? usersById.get(parent.authorId) : undefined);
    if (!queries.some((query) => query.test(target))) continue;
    (post.kind === 'repost' ? reposts : counted).push(post);
  }

  function population(scope: 'all' | 'watchlist', watchlist: readonly string[], slices: SimPost[][]) {
    const members = new Map<string, SimUser>([[home.id, home]]);
    for (const username of watchlist) {
      const user = userNamed(username);
      members.set(user.id, user);
    }
    if (scope === 'all') {
      for (const slice of slices) {
        for (const post of slice) {
          const author = usersById.get(post.authorId);
          if (author) members.set(author.id, author);
        }
      }
    }
    return members;
  }

  function leaderboard(metric: LeaderboardMetric, query: LeaderboardQuery = {}): LeaderboardRow[] {
    const from = query.from ?? input.window.start;
    const to = query.to ?? input.window.end;
    const observedAt = query.observedAt ?? to;
    const countedSlice = within(counted, from, to);
    const members = population(query.scope ?? 'all', query.watchlist ?? input.watchlist, [
      countedSlice,
      within(reposts, from, to),
    ]);
    const values = new Map<string, number>();
    for (const id of members.keys()) values.set(id, 0);
    const add = (id: string, amount: number) => {
      const value = values.get(id);
      if (value !== undefined) values.set(id, value + amount);
    };
    switch (metric) {
      case 'posts':
        for (const post of countedSlice) add(post.authorId, 1);
        break;
      case 'reposts':
        for (const post of within(reposts, from, to)) add(post.authorId, 1);
        break;
      case 'engagement':
      case 'impressions':
        for (const post of countedSlice) {
          const m = post.metricsAt(observedAt);
          add(post.authorId, metric === 'impressions' ? m.impression : m.like + m.repost + m.reply + m.quote);
        }
        break;
      case 'mentions':
        for (const post of countedSlice) {
          const authorName = usersById.get(post.authorId)?.username.toLowerCase();
          const mentioned = new Set(post.mentions.map((username) => username.toLowerCase()));
          for (const username of mentioned) {
            const user = usersByName.get(username);
            if (user && username !== authorName) add(user.id, 1);
          }
        }
        break;
      case 'followers':
      case 'follower_growth':
      case 'follower_growth_pct':
        for (const user of members.values()) {
          const atTo = user.followersAt(to);
          const atFrom = user.followersAt(from);
          const value =
            metric === 'followers'
              ? atTo
              : metric === 'follower_growth'
                ? atTo - atFrom
                : atFrom > 0
                  ? ((atTo - atFrom) / atFrom) * 100
                  : 0;
          values.set(user.id, value);
        }
        break;
    }
    return rankRows(
      [...members.values()].map((user) => ({
        authorId: user.id,
        username: user.username,
        value: values.get(user.id) ?? 0,
      })),
    );
  }

  return {
    postsLeaderboard(window = { from: input.window.start, to: input.window.end }) {
      return leaderboard('posts', { from: window.from, to: window.to }).filter((row) => row.value > 0);
    },
    leaderboard,
    followerSeries(username, at) {
      const user = userNamed(username);
      return at.map((t) => user.followersAt(t));
    },
  };
}

/** The posts of an ascending list created in [from, to), by binary search. */
function within(posts: readonly SimPost[], from: Date, to: Date): SimPost[] {
  const first = (ms: number) => {
    let lo = 0;
    let hi = posts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((posts[mid]?.createdAt.getTime() ?? 0) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return posts.slice(first(from.getTime()), Math.max(first(from.getTime()), first(to.getTime())));
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
