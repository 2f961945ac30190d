import { createRandom } from './random.ts';
import { HOUR_MS } from './rhythm.ts';
import type { Scenario, SimUser } from './types.ts';
import type { EndpointName } from './x/rate-limit.ts';

/**
 * Faults on demand, all off by default, all deterministic from `seed` (default: the scenario's).
 *
 * Transport faults hit requests (after the bearer check, before rate limits: a failed request costs no
 * budget), decided in the order requests arrive; a client that sends the same requests in the same order
 * meets the same faults. Rates are probabilities per request, 0 to 1.
 *
 * Data faults change what the scenario shows from a simulated instant on: deleted posts, suspended
 * accounts, renamed accounts. Where no instant is given, one is drawn from the seed. Accounts picked by
 * `share` are never the home or watchlist accounts; name them explicitly to hit those. The ground truth
 * stays the scenario's: tests read `RunningSimulator.faults` to know what changed and when.
 *
 * @example
 * startSimulator({ scenario, clock, bearerToken, faults: {
 *   serviceUnavailable: { rate: 0.05, burst: 3 },   // 503 bursts of 3 requests
 *   slowResponses: { rate: 0.1, delayMs: 2_000 },   // held back 2 s of real time
 *   droppedConnections: { rate: 0.02 },             // socket closed without an answer
 *   truncatedJson: { rate: 0.02 },                  // a 200 whose JSON body is cut short
 *   rateLimitStorms: { rate: 0.01, burst: 5 },      // 429 storms, each 429 with a reset 2 s away
 *   malformedEntries: { rate: 0.05 },               // a 200 with one entry missing required fields
 *   endpoints: ['search', 'timelines'],             // transport faults only there (default: all)
 *   deletedPosts: { share: 0.01 },                  // 1% of posts deleted hours after they were written
 *   suspendedAccounts: { usernames: ['CivoraLab'], at: '2016-12-08T12:00:00Z' },
 *   renamedAccounts: { share: 0.002 },
 * } })
 */
export interface FaultOptions {
  seed?: number;
  /** Endpoint families the transport faults apply to (default: all of them). */
  endpoints?: readonly EndpointName[];
  /** A request opens a burst of `burst` (default 3) consecutive 503 Service Unavailable answers. */
  serviceUnavailable?: { rate: number; burst?: number };
  /** The answer is held back `delayMs` of real time. */
  slowResponses?: { rate: number; delayMs: number };
  /** The connection is closed with no answer at all (a client sees a reset or "socket hang up"). */
  droppedConnections?: { rate: number };
  /** A 200 whose body stops in the middle of its JSON (complete HTTP message, unparsable body). */
  truncatedJson?: { rate: number };
  /**
   * A request opens a storm of `burst` (default 5) consecutive 429 Too Many Requests, as X sends when its
   * limits tighten without notice: each says `x-rate-limit-remaining: 0` and a reset `resetMs` (default
   * 2,000) of real time away. The endpoint's own budget is not spent.
   */
  rateLimitStorms?: { rate: number; burst?: number; resetMs?: number };
  /**
   * A 200 where one entry of `data` lost required fields (a post its `author_id` and `public_metrics`, a
   * user its `username`) and the body carries fields X never documented; the rest of the page is intact.
   * The damaged ids are in `stats().faults.malformedIds`.
   */
  malformedEntries?: { rate: number };
  /**
   * Posts deleted `delayMs` after they were written (default: drawn, around six hours). Deleted posts leave
   * search, timelines and lookups (reposts of them too); lookups answer with a not-found partial error.
   */
  deletedPosts?: { share?: number; ids?: readonly string[]; delayMs?: number };
  /**
   * Accounts suspended at `at` (default: the window's start for named ones, drawn within the window for
   * shares). Their posts leave every endpoint; lookups answer "User has been suspended" partial errors.
   */
  suspendedAccounts?: { share?: number; usernames?: readonly string[]; at?: Date | string };
  /** Accounts that change username at `at` (same defaults); the old name stops resolving. */
  renamedAccounts?: { share?: number; usernames?: readonly string[]; at?: Date | string };
}

/** What the data faults of a simulator change, and when (simulated time). */
export interface FaultPlan {
  deletedPosts: ReadonlyArray<{ id: string; at: Date }>;
  suspendedAccounts: ReadonlyArray<{ id: string; username: string; at: Date }>;
  renamedAccounts: ReadonlyArray<{ id: string; from: string; to: string; at: Date }>;
}

type PlanInput = Pick<Scenario, 'seed' | 'users' | 'posts' | 'window' | 'homeUsername' | 'watchlist'>;

/** Decides the data faults: which posts and accounts, and when. Pure: same inputs, same plan. */
export function planFaults(scenario: PlanInput, options: FaultOptions = {}): FaultPlan {
  const seed = options.seed ?? scenario.seed;
  const windowStartMs = scenario.window.start.getTime();
  const windowMs = scenario.window.end.getTime() - windowStartMs;
  const usersByName = new Map(scenario.users.map((user) => [user.username.toLowerCase(), user]));
  const named = (username: string) => {
    const user = usersByName.get(username.toLowerCase());
    if (!user) throw new RangeError(`faults name @${username}, who is not in the scenario`);
    return user;
  };
  const protectedIds = new Set(
    [scenario.homeUsername, ...scenario.watchlist].map((username) => named(username).id),
  );

  const deletedPosts: Array<{ id: string; at: Date }> = [];
  const deleted = options.deletedPosts;
  if (deleted) {
    const random = createRandom(seed, 'faults:deleted');
    const share = checkShare('deletedPosts.share', deleted.share ?? 0);
    const ids = new Set(deleted.ids ?? []);
    const delay = () => deleted.delayMs ?? Math.round(6 * HOUR_MS * random.logNormal(0, 0.8));
    for (const post of scenario.posts) {
      const picked = random.next() < share && post.kind !== 'repost';
      if (!picked && !ids.has(post.id)) continue;
      ids.delete(post.id);
      deletedPosts.push({ id: post.id, at: new Date(post.createdAt.getTime() + delay()) });
    }
    if (ids.size > 0) throw new RangeError(`faults delete posts not in the scenario: ${[...ids].join(', ')}`);
  }

  const pickAccounts = (
    stream: string,
    spec: { share?: number; usernames?: readonly string[]; at?: Date | string } | undefined,
    exclude: ReadonlySet<string>,
  ) => {
    if (!spec) return [];
    const random = createRandom(seed, stream);
    const share = checkShare(`${stream}.share`, spec.share ?? 0);
    const at = spec.at === undefined ? undefined : new Date(spec.at);
    if (at && Number.isNaN(at.getTime())) throw new RangeError(`faults: invalid instant ${String(spec.at)}`);
    const picked = new Map<string, { user: SimUser; at: Date }>();
    for (const username of spec.usernames ?? []) {
      const user = named(username);
      picked.set(user.id, { user, at: at ?? scenario.window.start });
    }
    for (const user of scenario.users) {
      const draw = random.next();
      const instant = new Date(windowStartMs + Math.floor(random.next() * windowMs));
      if (draw < share && !protectedIds.has(user.id) && !exclude.has(user.id) && !picked.has(user.id)) {
        picked.set(user.id, { user, at: at ?? instant });
      }
    }
    return [...picked.values()];
  };

  const suspendedAccounts = pickAccounts('faults:suspended', options.suspendedAccounts, new Set()).map(
    ({ user, at }) => ({ id: user.id, username: user.username, at }),
  );
  const suspendedIds = new Set(suspendedAccounts.map((account) => account.id));
  const taken = new Set(usersByName.keys());
  const names = createRandom(seed, 'faults:names');
  const renamedAccounts = pickAccounts('faults:renamed', options.renamedAccounts, suspendedIds).map(
    ({ user, at }) => {
      const from = user.username;
      let to: string;
      do to = `${from.slice(0, 10)}_${names.int(10_000)}`;
      while (taken.has(to.toLowerCase()));
      taken.add(to.toLowerCase());
      return { id: user.id, from, to, at };
    },
  );
  return { deletedPosts, suspendedAccounts, renamedAccounts };
}

function checkShare(name: string, value: number): number {
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`faults: ${name} must be between 0 and 1, got ${value}`);
  return value;
}
