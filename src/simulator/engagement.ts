import type { Random } from './random.ts';
import type { PostKind, PostMetrics } from './types.ts';

/** Engagement a post will have gathered once interest has died down. */
export type EngagementTotals = PostMetrics;

/**
 * Heavy-tailed engagement: grows sub-linearly with the author's audience, with a log-normal spread so a
 * few posts take off; replies draw less than posts.
 */
export function drawEngagement(random: Random, authorFollowers: number, kind: PostKind): EngagementTotals {
  const kindFactor = kind === 'reply' ? 0.25 : kind === 'quote' ? 0.7 : 1;
  const score = authorFollowers ** 0.75 * random.logNormal(0, 1.1) * kindFactor;
  const like = random.roundStochastic(0.08 * score);
  return {
    like,
    repost: random.roundStochastic(like * 0.3 * random.logNormal(0, 0.5)),
    reply: random.roundStochastic(like * 0.08 * random.logNormal(0, 0.6)),
    quote: random.roundStochastic(like * 0.03 * random.logNormal(0, 0.6)),
    bookmark: random.roundStochastic(like * 0.04),
    impression: Math.round(authorFollowers * 0.25 * random.logNormal(0, 0.6) + like * 35) + 1,
  };
}

/**
 * Engagement `elapsedMs` after posting: most of it comes in the first hours (time constant `tauMs`),
 * impressions a little more slowly; every count only ever grows, as X's do.
 */
export function engagementAt(totals: EngagementTotals, elapsedMs: number, tauMs: number): PostMetrics {
  if (elapsedMs < 0) return { like: 0, repost: 0, reply: 0, quote: 0, bookmark: 0, impression: 0 };
  const f = 1 - Math.exp(-elapsedMs / tauMs);
  const fi = 1 - Math.exp(-elapsedMs / (tauMs * 1.8));
  return {
    like: Math.floor(totals.like * f),
    repost: Math.floor(totals.repost * f),
    reply: Math.floor(totals.reply * f),
    quote: Math.floor(totals.quote * f),
    bookmark: Math.floor(totals.bookmark * f),
    impression: Math.floor(totals.impression * fi),
  };
}
