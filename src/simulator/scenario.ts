import { HOME_ACCOUNT, PEER_ACCOUNTS } from './accounts.ts';
import { campaignPostCounts } from './activity.ts';
import { draftPosts } from './drafts.ts';
import { type FollowerCurve, homeFollowerCurve, SmoothGrowth } from './followers.ts';
import { assignCounts, buildUser, drawProfiles } from './population.ts';
import { createRandom } from './random.ts';
import { DAY_MS } from './rhythm.ts';
import { createGroundTruth } from './truth.ts';
import type { Scenario, ScenarioOptions } from './types.ts';
import { attachPostTimes, writePosts } from './writer.ts';

export type {
  GroundTruth,
  PostKind,
  PostMetrics,
  Scenario,
  ScenarioOptions,
  SimPost,
  SimUser,
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

/** The home account's followers: the founding case's "194 → 512, passing 500 during the summit". */
const HOME_FOLLOWERS = { spanStart: 180, windowStart: 194, windowEnd: 512, spanEnd: 521 };

/** Share of all posts that count for the posts leaderboard (in the window, matching, not reposts). */
const CAMPAIGN_SHARE = 0.55;

/**
 * Builds a complete, deterministic campaign: accounts, posts over the summit and the days around it,
 * engagement and followers as functions of time, and the ground truth the tracker must reproduce.
 * Same options ⇒ identical scenario. The home account is always n°3 by posts over the window, with no
 * tie on either side.
 */
export function generateScenario(options: ScenarioOptions = {}): Scenario {
  const name = options.name ?? OGP16_SCENARIO.name;
  const seed = options.seed ?? OGP16_SCENARIO.seed;
  const accounts = options.accounts ?? OGP16_SCENARIO.accounts;
  const postTotal = options.posts ?? OGP16_SCENARIO.posts;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!Number.isInteger(accounts) || accounts < 12) throw new RangeError(`accounts must be an integer ≥ 12`);
  if (!Number.isInteger(postTotal)) throw new RangeError(`posts must be an integer`);

  const windowStartMs = Date.parse(OGP16_SCENARIO.window.start);
  const windowEndMs = Date.parse(OGP16_SCENARIO.window.end);
  const span = {
    startMs: windowStartMs - DAY_MS,
    windowStartMs,
    windowEndMs,
    endMs: windowEndMs + DAY_MS,
  };

  const counts = campaignPostCounts(Math.round(postTotal * CAMPAIGN_SHARE), accounts);
  const campaignPerUser = assignCounts(counts, createRandom(seed, 'ranks'));
  const profiles = drawProfiles(createRandom(seed, 'users'), campaignPerUser, span.startMs);
  const drafts = draftPosts(createRandom(seed, 'times'), campaignPerUser, postTotal, span);

  const homeTimes = drafts.filter((draft) => draft.author === 0).map((draft) => draft.ms);
  const takenIds = new Set<string>();
  const users = profiles.map((profile, index) => {
    const curve: FollowerCurve =
      index === 0
        ? homeFollowerCurve(homeTimes, span, HOME_FOLLOWERS)
        : new SmoothGrowth(
            profile.followers,
            Math.round(profile.followers * 0.012 + (campaignPerUser[index] ?? 0) * 0.6),
            span.startMs,
            span.endMs,
          );
    return buildUser(createRandom(seed, `user:${index}`), profile, curve, takenIds);
  });
  const queries = [...OGP16_SCENARIO.queries];
  // The generator writes campaign posts with these tags and checks every text against them.
  const campaignTags = new Set(queries.map((query) => query.slice(1).toLowerCase()));
  const posts = writePosts(createRandom(seed, 'posts'), drafts, users, profiles, campaignTags);
  attachPostTimes(users, posts);

  const window = { start: new Date(windowStartMs), end: new Date(windowEndMs) };
  const truth = createGroundTruth({ users, posts, queries, window });
  assertHomeIsThird(truth.postsLeaderboard());

  return {
    name,
    seed,
    timezone: 'Europe/Paris',
    window,
    homeUsername: HOME_ACCOUNT.username,
    queries,
    watchlist: PEER_ACCOUNTS.map((peer) => peer.username),
    users,
    posts,
    truth,
  };
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
