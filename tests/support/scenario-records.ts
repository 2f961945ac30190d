import type { SimPost, SimUser } from '../../src/simulator/types.ts';
import type { XPost, XUser } from '../../src/x/types.ts';

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
