import { HOME_ACCOUNT, PEER_ACCOUNTS } from './accounts.ts';
import { campaignPostCounts } from './activity.ts';
import { draftHours, planDrafts } from './drafts.ts';
import { ActivityGrowth, type FollowerCurve, homeFollowerCurve } from './followers.ts';
import { assignCounts, buildUser, drawProfiles } from './population.ts';
import { createRandom } from './random.ts';
import type { SimPostRecord } from './records.ts';
import { DAY_MS, hourWeights, type Span, WindowRhythm } from './rhythm.ts';
import { createGroundTruth } from './truth.ts';
import type { Scenario, ScenarioOptions, ScenarioStream } from './types.ts';
import { attachPostTimes, PostWriter } from './writer.ts';

export type {
  Scenario,
  ScenarioOptions,
  ScenarioStream,
} from './types.ts';

/** The founding case: the OGP Global Summit, Paris, 7–9 December 2016. Its values are the defaults. */
export const OGP16_SCENARIO = {
  name: 'ogp16',
  seed: 2016,
  accounts: 4211,
  posts: 30_000,
  window: { start: '2016-12-07T00:00:00+01:00', end: '2016-12-10T00:00:00+01:00' },
  queries: ['#OGP16', '#OGPSummit'],
} as const;

/**
 * Named scenarios for `tracker simulate --scenario`: the founding case at its own size, a small one for
 * quick checks, a large one for load (about 1 GB in memory once served).
 */
export const SCENARIO_PRESETS: Readonly<Record<string, ScenarioOptions>> = {
  ogp16: {},
  'ogp16-small': { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 },
  'ogp16-large': { name: 'ogp16-large', accounts: 20_000, posts: 300_000 },
};

/** The home account's followers: the founding case's "194 → 512, passing 500 during the summit". */
const HOME_FOLLOWERS = { spanStart: 180, windowStart: 194, windowEnd: 512, spanEnd: 521 };

/** Share of all posts that count for the posts leaderboard (in the window, matching, not reposts). */
const CAMPAIGN_SHARE = 0.55;
/** Activity per local day of the span: the eve, the three summit days, the day after. */
const DAY_WEIGHTS = [0.3, 1, 1, 0.85, 0.2] as const;
/** Of an account's follower gain over the span, the part that comes with its own campaign posts. */
const ACTIVITY_GAIN_SHARE = 0.65;

/**
 * Builds a complete, deterministic campaign in memory: accounts, posts over the summit and the days
 * around it, engagement and followers as functions of time, and the ground truth the tracker must
 * reproduce. Same options ⇒ identical scenario. The home account is always n°3 by posts over the
 * window, with no tie on either side.
 */
export function generateScenario(options: ScenarioOptions = {}): Scenario {
  const { frame, users, records } = createStream(options);
  const posts = [...records()];
  attachPostTimes(users, posts);
  const truth = createGroundTruth({ ...frame, users, posts });
  assertHomeIsThird(truth.postsLeaderboard());
  return { ...frame, users, posts, truth };
}

/**
 * The same scenario as `generateScenario` with the same options, as a stream (see ScenarioStream): for
 * benchmarks and sizes up to millions of posts. Generation costs about as much per post either way.
 */
export function streamScenario(options: ScenarioOptions = {}): ScenarioStream {
  const { frame, users, records, postCount } = createStream(options);
  return { ...frame, users, postCount, posts: records };
}

function createStream(options: ScenarioOptions) {
  const name = options.name ?? OGP16_SCENARIO.name;
  const seed = options.seed ?? OGP16_SCENARIO.seed;
  const accounts = options.accounts ?? OGP16_SCENARIO.accounts;
  const postTotal = options.posts ?? OGP16_SCENARIO.posts;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(accounts) || accounts < 12) throw new RangeError(`accounts must be an integer ≥ 12`);
  if (!Number.isInteger(postTotal)) throw new RangeError(`posts must be an integer`);

  const windowStartMs = Date.parse(OGP16_SCENARIO.window.start);
  const windowEndMs = Date.parse(OGP16_SCENARIO.window.end);
  const span: Span = {
    startMs: windowStartMs - DAY_MS,
    windowStartMs,
    windowEndMs,
    endMs: windowEndMs + DAY_MS,
  };
  const weights = hourWeights(span, DAY_WEIGHTS);
  const rhythm = new WindowRhythm(span, weights);

  const counts = campaignPostCounts(Math.round(postTotal * CAMPAIGN_SHARE), accounts);
  const campaignPerUser = assignCounts(counts, createRandom(seed, 'ranks'));
  const profiles = drawProfiles(createRandom(seed, 'users'), campaignPerUser, span.startMs);
  const plan = planDrafts(createRandom(seed, 'plan'), campaignPerUser, postTotal, weights);

  const takenIds = new Set<string>();
  const users = profiles.map((profile, index) => {
    const gain = Math.round(profile.followers * 0.012 + (campaignPerUser[index] ?? 0) * 0.6);
    const curve: FollowerCurve =
      index === 0
        ? homeFollowerCurve(plan.homeHourly, span, HOME_FOLLOWERS)
        : new ActivityGrowth(
            profile.followers,
            gain * (1 - ACTIVITY_GAIN_SHARE),
            gain * ACTIVITY_GAIN_SHARE,
            span,
            rhythm,
            plan.dayCounts.subarray(index * plan.days, (index + 1) * plan.days),
          );
    return buildUser(createRandom(seed, `user:${index}`), profile, curve, takenIds);
  });
  const queries = [...OGP16_SCENARIO.queries];
  // The generator writes campaign posts with these tags and checks every text against them.
  const campaignTags = new Set(queries.map((query) => query.slice(1).toLowerCase()));

  function* records(): Generator<SimPostRecord> {
    const writer = new PostWriter(createRandom(seed, 'posts'), users, profiles, campaignTags);
    for (const hour of draftHours(createRandom(seed, 'times'), plan, span.startMs)) {
      for (const draft of hour) yield writer.write(draft);
    }
  }

  const frame = {
    name,
    seed,
    timezone: 'Europe/Paris' as const,
    window: { start: new Date(windowStartMs), end: new Date(windowEndMs) },
    homeUsername: HOME_ACCOUNT.username,
    queries,
    watchlist: PEER_ACCOUNTS.map((peer) => peer.username),
  };
  return { frame, users, records, postCount: postTotal };
}

/** Cheap insurance: a generator change that breaks the headline figure fails at once, not in an e2e test. */
function assertHomeIsThird(board: ReturnType<Scenario['truth']['postsLeaderboard']>): void {
  const [, second, third, fourth] = board;
  if (
    third?.username !== HOME_ACCOUNT.username ||
    third.rank !== 3 ||
    second?.value === third.value ||
    fourth?.value === third.value
  ) {
    throw new Error('scenario generation broke its invariant: the home account must be n°3 by posts, untied');
  }
}
