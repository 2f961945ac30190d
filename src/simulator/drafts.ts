import { binomial, CountBag, type Random, WeightedSampler } from './random.ts';
import { HOUR_MS, type HourWeights } from './rhythm.ts';

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

/**
 * Who posts how much, decided before any post is written, in memory proportional to the accounts (never
 * to the posts): every account's campaign posts per window day (the home account's per window hour, for
 * its follower curve), and the totals of the other categories.
 */
export interface DraftPlan {
  readonly weights: HourWeights;
  readonly accounts: number;
  readonly days: number;
  /** Campaign posts of account a on window day d at `a * days + d` (the home account's row is empty). */
  readonly dayCounts: Int32Array;
  /** The home account's campaign posts per window hour. */
  readonly homeHourly: Int32Array;
  readonly campaignPerUser: Int32Array;
  readonly reposts: number;
  readonly outside: number;
  readonly offTopic: number;
}

export function planDrafts(
  random: Random,
  campaignPerUser: Int32Array,
  postTotal: number,
  weights: HourWeights,
): DraftPlan {
  const accounts = campaignPerUser.length;
  const days = weights.windowHours / 24;
  const campaignTotal = campaignPerUser.reduce((sum, count) => sum + count, 0);
  const rest = postTotal - campaignTotal;
  if (rest < 0) throw new RangeError(`${postTotal} posts are too few for ${accounts} accounts`);
  const windowHourWeights = weights.window.subarray(
    weights.windowFirstHour,
    weights.windowFirstHour + weights.windowHours,
  );
  const dayWeights = Array.from({ length: days }, (_, day) =>
    windowHourWeights.subarray(day * 24, day * 24 + 24).reduce((sum, w) => sum + w, 0),
  );
  const dayCounts = new Int32Array(accounts * days);
  for (let account = 1; account < accounts; account++) {
    dayCounts.set(multinomial(random, campaignPerUser[account] ?? 0, dayWeights), account * days);
  }
  const reposts = Math.round(rest * REPOST_SHARE);
  const outside = Math.round(rest * OUTSIDE_SHARE);
  return {
    weights,
    accounts,
    days,
    dayCounts,
    homeHourly: multinomial(random, campaignPerUser[0] ?? 0, windowHourWeights),
    campaignPerUser,
    reposts,
    outside,
    offTopic: rest - reposts - outside,
  };
}

/**
 * Every draft of the plan, one hour of the span at a time, each hour sorted by instant: the whole
 * scenario in time order while holding a single hour. Campaign posts of the hour are drawn without
 * replacement from what each account still has to post that day, so every account ends on its exact
 * count; the other categories follow the hour's weight, their authors the busy accounts.
 */
export function* draftHours(random: Random, plan: DraftPlan, spanStartMs: number): Generator<Draft[]> {
  const { weights, days, accounts } = plan;
  // The busy accounts of the campaign are also the ones who repost and post around it.
  const authors = new WeightedSampler(Array.from(plan.campaignPerUser, (count) => count + 0.5));
  const others = [
    new CategoryPace('repost', weights.any, plan.reposts),
    new CategoryPace('outside', weights.outside, plan.outside),
    new CategoryPace('offtopic', weights.window, plan.offTopic),
  ];
  let bag: CountBag | undefined;
  let dayPace: CategoryPace | undefined;
  for (let hour = 0; hour < weights.hours; hour++) {
    const hourStartMs = spanStartMs + hour * HOUR_MS;
    const drafts: Draft[] = [];
    const add = (author: number, category: Category) =>
      drafts.push({ author, ms: hourStartMs + random.int(HOUR_MS), category });
    const windowHour = hour - weights.windowFirstHour;
    if (windowHour >= 0 && windowHour < weights.windowHours) {
      if (windowHour % 24 === 0) {
        const day = windowHour / 24;
        const column = new Int32Array(accounts);
        for (let account = 0; account < accounts; account++)
          column[account] = plan.dayCounts[account * days + day] ?? 0;
        bag = new CountBag(column);
        const dayWeights = new Float64Array(weights.hours);
        dayWeights.set(weights.window.subarray(hour, hour + 24), hour);
        dayPace = new CategoryPace('campaign', dayWeights, bag.total);
      }
      for (let k = 0; k < (plan.homeHourly[windowHour] ?? 0); k++) add(0, 'campaign');
      const count = dayPace?.take(random, hour) ?? 0;
      for (let k = 0; k < count; k++) add(bag?.take(random) ?? 0, 'campaign');
    }
    for (const pace of others) {
      const count = pace.take(random, hour);
      for (let k = 0; k < count; k++) add(authors.sample(random), pace.category);
    }
    // Stable sort: equal instants keep draft order, so the result depends on the seed only.
    drafts.sort((a, b) => a.ms - b.ms);
    yield drafts;
  }
}

/** Splits a category's total over the hours in proportion to their weight, hour after hour. */
class CategoryPace {
  #remaining: number;
  #weightLeft: number;
  readonly #lastHour: number;

  constructor(
    readonly category: Category,
    readonly weights: Float64Array,
    total: number,
  ) {
    this.#remaining = total;
    this.#weightLeft = weights.reduce((sum, w) => sum + w, 0);
    this.#lastHour = weights.findLastIndex((w) => w > 0);
    if (total > 0 && this.#lastHour < 0) throw new RangeError(`no hour can hold the ${category} posts`);
  }

  take(random: Random, hour: number): number {
    const weight = this.weights[hour] ?? 0;
    if (weight <= 0 || this.#remaining === 0) return 0;
    // The last hour with weight takes what is left, whatever rounding did before.
    const count =
      hour === this.#lastHour
        ? this.#remaining
        : binomial(random, this.#remaining, weight / this.#weightLeft);
    this.#remaining -= count;
    this.#weightLeft -= weight;
    return count;
  }
}

/** Splits `n` over cells in proportion to `weights` (conditional binomials: exact total). */
function multinomial(random: Random, n: number, weights: ArrayLike<number>): Int32Array {
  const cells = new Int32Array(weights.length);
  let left = n;
  let weightLeft = 0;
  for (let i = 0; i < weights.length; i++) weightLeft += weights[i] ?? 0;
  for (let i = 0; i < weights.length && left > 0; i++) {
    const weight = weights[i] ?? 0;
    const count = i === weights.length - 1 ? left : binomial(random, left, weight / weightLeft);
    cells[i] = count;
    left -= count;
    weightLeft -= weight;
  }
  return cells;
}
