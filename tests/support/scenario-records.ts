import type { CollectContext } from '../../src/collect/context.ts';
import { storePage } from '../../src/collect/store-page.ts';
import type { XPost, XUser } from '../../src/networks/x/types.ts';
import type { Scenario, SimPost, SimUser } from '../../src/simulator/types.ts';
import { compileQuery, postTarget } from '../../src/simulator/x/query/match.ts';

/*
 * A scenario's accounts and posts as the X client hands them to the collector, read at `observedAt`:
 * for tests that store pages directly (storePage) without going through the simulator's HTTP.
 */

export const xUserOf = (user: SimUser, observedAt: Date): XUser => ({
  id: user.id,
  username: user.username,
  name: user.name,
  description: user.description,
  profileImageUrl: user.profileImageUrl,
  verified: user.verified,
  createdAt: user.createdAt,
  metrics: {
    followers: user.followersAt(observedAt),
    following: user.followingCount,
    posts: user.postCountAt(observedAt),
    listed: user.listedCount,
  },
});

export const xPostOf = (post: SimPost, observedAt: Date): XPost => {
  const m = post.metricsAt(observedAt);
  return {
    id: post.id,
    authorId: post.authorId,
    createdAt: post.createdAt,
    text: post.text,
    lang: post.lang,
    kind: post.kind,
    referencedPostId: post.referencedId ?? null,
    conversationId: post.conversationId,
    hashtags: post.hashtags,
    mentions: post.mentions.map((username) => username.toLowerCase()),
    metrics: {
      like: m.like,
      repost: m.repost,
      reply: m.reply,
      quote: m.quote,
      bookmark: m.bookmark,
      impression: m.impression,
    },
  };
};

/**
 * Stores every post of the scenario that each query matches (as the simulator's search would
 * return it), in pages of `pageSize` through the collector's own storePage, dated `observedAt`.
 */
export async function storeScenarioMatches(
  ctx: CollectContext,
  scenario: Pick<Scenario, 'users' | 'posts'>,
  target: { campaignId: number; queries: ReadonlyArray<{ id: number; query: string }> },
  observedAt: Date,
  pageSize: number,
): Promise<void> {
  const users = new Map(scenario.users.map((user) => [user.id, user]));
  const posts = new Map(scenario.posts.map((post) => [post.id, post]));
  for (const query of target.queries) {
    const compiled = compileQuery(query.query);
    const matched = scenario.posts.filter((post) => {
      const author = users.get(post.authorId) as SimUser;
      const parent = post.kind === 'reply' && post.referencedId ? posts.get(post.referencedId) : undefined;
      return compiled.test(postTarget(post, author, parent ? users.get(parent.authorId) : undefined));
    });
    for (let i = 0; i < matched.length; i += pageSize) {
      const page = matched.slice(i, i + pageSize);
      const authors = new Set(page.map((post) => post.authorId));
      await storePage(ctx, {
        source: 'recent',
        page: {
          posts: page.map((post) => xPostOf(post, observedAt)),
          users: scenario.users
            .filter((user) => authors.has(user.id))
            .map((user) => xUserOf(user, observedAt)),
          problems: [],
          newestId: null,
          oldestId: null,
          nextToken: null,
          skipped: 0,
          rateLimit: null,
        },
        observedAt,
        match: { campaignId: target.campaignId, queryId: query.id },
      });
    }
  }
}
