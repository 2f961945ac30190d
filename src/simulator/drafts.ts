import { type Random, WeightedSampler } from './random.ts';
import { TimeSampler } from './rhythm.ts';

/** campaign: in the window and matching; offtopic: in the window, not matching; outside: before/after it. */
export type Category = 'campaign' | 'offtopic' | 'outside' | 'repost';

export interface Draft {
  author: number;
  ms: number;
  category: Category;
}

/** How the posts that do not count split: reposts, posts the day before or after the window, off-topic ones. */
const REPOST_SHARE = 0.55;
const OUTSIDE_SHARE = 0.3;
/** Activity per local day of the span: the eve, the three summit days, the day after. */
const DAY_WEIGHTS = [0.3, 1, 1, 0.85, 0.2] as const;

/** When, by whom and of which category every post will be, sorted by time. */
export function draftPosts(
  random: Random,
  campaignPerUser: Int32Array,
  postTotal: number,
  span: { startMs: number; windowStartMs: number; windowEndMs: number },
): Draft[] {
  const times = new TimeSampler(span.startMs, span.windowStartMs, span.windowEndMs, DAY_WEIGHTS);
  const drafts: Draft[] = [];
  campaignPerUser.forEach((count, author) => {
    for (let k = 0; k < count; k++)
      drafts.push({ author, ms: times.sample(random, 'window'), category: 'campaign' });
  });
  const rest = postTotal - drafts.length;
  if (rest < 0) throw new RangeError(`${postTotal} posts are too few for ${campaignPerUser.length} accounts`);
  const reposts = Math.round(rest * REPOST_SHARE);
  const outside = Math.round(rest * OUTSIDE_SHARE);
  // The busy accounts of the campaign are also the ones who repost and post around it.
  const authors = new WeightedSampler(Array.from(campaignPerUser, (count) => count + 0.5));
  for (let k = 0; k < rest; k++) {
    const category: Category = k < reposts ? 'repost' : k < reposts + outside ? 'outside' : 'offtopic';
    const region = category === 'outside' ? 'outside' : category === 'offtopic' ? 'window' : 'any';
    drafts.push({ author: authors.sample(random), ms: times.sample(random, region), category });
  }
  // Stable sort: equal instants keep draft order, so the result depends on the seed only.
  return drafts.sort((a, b) => a.ms - b.ms);
}
