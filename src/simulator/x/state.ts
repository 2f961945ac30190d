import type { Clock } from '../../clock.ts';
import type { FaultPlan } from '../faults.ts';
import type { SimPost, SimUser } from '../types.ts';
import { type ResourceProblem, resourceNotFound, userSuspended } from './problems.ts';
import { type CompiledQuery, compileQuery, type UserResolver } from './query/match.ts';
import type { EndpointName, RateLimiter } from './rate-limit.ts';
import type { ScenarioIndex } from './scenario-index.ts';
import type { TierPolicy } from './tiers.ts';
import type { TransportFaults } from './transport-faults.ts';
import type { UsageMeter } from './usage.ts';

/** What a running simulator has done: for tests that check a client met the faults they turned on. */
export interface SimulatorStats {
  /** Requests that passed the bearer check, per endpoint family. */
  requests: Record<EndpointName, number>;
  faults: {
    unavailable: number;
    dropped: number;
    truncated: number;
    slowed: number;
    /** 429s of rate-limit storms (the windows' own 429s are `rateLimited`) */
    stormed: number;
    /** ids of the entries a malformed 200 damaged, in the order they were sent */
    malformedIds: string[];
  };
  /** 429s for the 15-minute windows (and the archive's one request per second). */
  rateLimited: number;
  /** 429s for the monthly post cap. */
  usageCapped: number;
  /** Posts counted toward the monthly cap so far this month. */
  postsRead: number;
}

/** One request as the simulator met it, in real time: for tests that check a client waited its turn. */
export interface LoggedRequest {
  /** real ms when it arrived */
  atMs: number;
  family: EndpointName;
  /** 0: the connection was dropped */
  status: number;
  /** the `x-rate-limit-remaining` and `x-rate-limit-reset` (epoch seconds) it was told, if any */
  remaining: number | null;
  reset: number | null;
}

/** The request log keeps the latest requests only: a demo simulator runs for days. */
const REQUEST_LOG_SIZE = 20_000;

export interface StateParts {
  index: ScenarioIndex;
  clock: Clock;
  limiter: RateLimiter;
  usage: UsageMeter;
  tier: TierPolicy;
  transport: TransportFaults;
  plan: FaultPlan;
  /** Numeric id X puts in a usage-cap 429 (`account_id`) and a 403 (`client_id`). */
  accountId: string;
  /** Wall clock of the rate-limit windows (a storm's reset is announced on it). */
  realNow: () => number;
}

/**
 * What every route reads: the scenario, the simulated clock, budgets and usage, and the one place that
 * decides what clients can see at an instant (not yet written, deleted, suspended, renamed).
 */
export class SimulatorState {
  readonly index: ScenarioIndex;
  readonly clock: Clock;
  readonly limiter: RateLimiter;
  readonly usage: UsageMeter;
  readonly tier: TierPolicy;
  readonly transport: TransportFaults;
  readonly plan: FaultPlan;
  readonly accountId: string;
  readonly realNow: () => number;
  /** the address clients reach the simulator at (set per request): its avatar URLs point there */
  origin: string | undefined;
  readonly counters = {
    requests: new Map<EndpointName, number>(),
    faults: { unavailable: 0, dropped: 0, truncated: 0, slowed: 0, stormed: 0, malformedIds: [] as string[] },
    rateLimited: 0,
    usageCapped: 0,
  };
  readonly #requestLog: LoggedRequest[] = [];
  readonly #compiled = new Map<string, CompiledQuery>();
  readonly #deletedAt: Map<string, number>;
  readonly #suspendedAt: Map<string, number>;
  /** By user id: the rename and the account as it shows after it. */
  readonly #renames = new Map<string, { atMs: number; to: string; view: SimUser }>();
  /** By lower-cased new username: the renamed account's id. */
  readonly #renamedTo = new Map<string, string>();
  readonly #dataFaults: boolean;

  constructor(parts: StateParts) {
    this.index = parts.index;
    this.clock = parts.clock;
    this.limiter = parts.limiter;
    this.usage = parts.usage;
    this.tier = parts.tier;
    this.transport = parts.transport;
    this.plan = parts.plan;
    this.accountId = parts.accountId;
    this.realNow = parts.realNow;
    this.#deletedAt = new Map(parts.plan.deletedPosts.map((post) => [post.id, post.at.getTime()]));
    this.#suspendedAt = new Map(parts.plan.suspendedAccounts.map((user) => [user.id, user.at.getTime()]));
    for (const rename of parts.plan.renamedAccounts) {
      const user = this.index.user(rename.id);
      if (!user) throw new RangeError(`rename of unknown account ${rename.id}`);
      this.#renames.set(rename.id, {
        atMs: rename.at.getTime(),
        to: rename.to,
        view: renamed(user, rename.to),
      });
      this.#renamedTo.set(rename.to.toLowerCase(), rename.id);
    }
    this.#dataFaults = this.#deletedAt.size + this.#suspendedAt.size + this.#renames.size > 0;
  }

  stats(): SimulatorStats {
    const requests = {} as Record<EndpointName, number>;
    for (const family of [
      'search',
      'searchAll',
      'counts',
      'countsAll',
      'users',
      'timelines',
      'tweets',
      'usage',
    ] as const)
      requests[family] = this.counters.requests.get(family) ?? 0;
    return {
      requests,
      faults: { ...this.counters.faults, malformedIds: [...this.counters.faults.malformedIds] },
      rateLimited: this.counters.rateLimited,
      usageCapped: this.counters.usageCapped,
      postsRead: this.usage.used,
    };
  }

  logRequest(request: LoggedRequest): void {
    if (this.#requestLog.length >= REQUEST_LOG_SIZE) this.#requestLog.shift();
    this.#requestLog.push(request);
  }

  /** The latest requests that passed the bearer check, oldest first. */
  requestLog(): LoggedRequest[] {
    return [...this.#requestLog];
  }

  /** Parsed once per distinct query string: collectors repeat the same few queries all day. */
  compile(query: string): CompiledQuery {
    let found = this.#compiled.get(query);
    if (!found) {
      found = compileQuery(query);
      if (this.#compiled.size < 1000) this.#compiled.set(query, found);
    }
    return found;
  }

  /** `from:` and `to:` resolve usernames as they are at `nowMs`. */
  resolver(nowMs: number): UserResolver | undefined {
    if (this.#renames.size === 0) return undefined;
    return (username) => this.#userByUsernameAt(username, nowMs)?.id;
  }

  /** Whether clients can see the post at `nowMs`: written, not deleted, its author not suspended. */
  visible(post: SimPost, nowMs: number): boolean {
    if (post.createdAt.getTime() > nowMs) return false;
    if (!this.#dataFaults) return true;
    if (this.#gone(post, nowMs)) return false;
    // X removes the reposts of a post that is deleted or whose author is suspended.
    const original =
      post.kind === 'repost' && post.referencedId ? this.index.post(post.referencedId) : undefined;
    return !original || !this.#gone(original, nowMs);
  }

  postNow(id: string): SimPost | undefined {
    const post = this.index.post(id);
    return post && this.visible(post, this.clock.now().getTime()) ? post : undefined;
  }

  /** The account as clients see it now (its current username), by id; undefined if absent or suspended. */
  userNow(id: string): SimUser | undefined {
    const user = this.index.user(id);
    const nowMs = this.clock.now().getTime();
    if (!user || !this.#shows(user, nowMs)) return undefined;
    return this.#viewAt(user, nowMs);
  }

  /** Same, by username, case-insensitively: a renamed account answers to its new name only. */
  userNowByUsername(username: string): SimUser | undefined {
    const nowMs = this.clock.now().getTime();
    const user = this.#userByUsernameAt(username, nowMs);
    return user && this.#shows(user, nowMs) ? this.#viewAt(user, nowMs) : undefined;
  }

  /** Why a user asked for (by id or username, through `parameter`) cannot be shown. */
  userProblem(parameter: string, value: string, byUsername: boolean): ResourceProblem {
    const nowMs = this.clock.now().getTime();
    const user = byUsername ? this.#userByUsernameAt(value, nowMs) : this.index.user(value);
    const suspendedAt = user ? this.#suspendedAt.get(user.id) : undefined;
    if (suspendedAt !== undefined && suspendedAt <= nowMs) return userSuspended(parameter, value);
    return resourceNotFound('user', parameter, value);
  }

  #gone(post: SimPost, nowMs: number): boolean {
    const deletedAt = this.#deletedAt.get(post.id);
    const suspendedAt = this.#suspendedAt.get(post.authorId);
    return (
      (deletedAt !== undefined && deletedAt <= nowMs) || (suspendedAt !== undefined && suspendedAt <= nowMs)
    );
  }

  #shows(user: SimUser, nowMs: number): boolean {
    if (user.createdAt.getTime() > nowMs) return false;
    const suspendedAt = this.#suspendedAt.get(user.id);
    return suspendedAt === undefined || suspendedAt > nowMs;
  }

  #viewAt(user: SimUser, nowMs: number): SimUser {
    const rename = this.#renames.get(user.id);
    return rename && rename.atMs <= nowMs ? rename.view : user;
  }

  #userByUsernameAt(username: string, nowMs: number): SimUser | undefined {
    const lower = username.toLowerCase();
    const renamedId = this.#renamedTo.get(lower);
    const rename = renamedId === undefined ? undefined : this.#renames.get(renamedId);
    if (renamedId !== undefined && rename && rename.atMs <= nowMs) return this.index.user(renamedId);
    const user = this.index.userByUsername(lower);
    const own = user ? this.#renames.get(user.id) : undefined;
    return own && own.atMs <= nowMs ? undefined : user;
  }
}

/** The account under its new name; everything else stays the account's. */
function renamed(user: SimUser, username: string): SimUser {
  return {
    id: user.id,
    username,
    name: user.name,
    description: user.description,
    profileImageUrl: user.profileImageUrl,
    createdAt: user.createdAt,
    verified: user.verified,
    followingCount: user.followingCount,
    listedCount: user.listedCount,
    followersAt: (t) => user.followersAt(t),
    postCountAt: (t) => user.postCountAt(t),
  };
}
