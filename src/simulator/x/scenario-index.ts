import type { Scenario, SimPost, SimUser } from '../types.ts';
import { postTarget, type QueryTarget } from './query/match.ts';

const EMPTY = new Int32Array(0);

/**
 * The scenario arranged for serving: posts by position (ascending id, so ascending time), binary
 * searches over ids and creation times, users by id and by username, each user's posts.
 */
export class ScenarioIndex {
  readonly posts: readonly SimPost[];
  readonly #ids: BigUint64Array;
  readonly #createdMs: Float64Array;
  readonly #postIndexById = new Map<string, number>();
  readonly #usersById = new Map<string, SimUser>();
  readonly #usersByName = new Map<string, SimUser>();
  readonly #postsByUser = new Map<string, Int32Array>();
  readonly #targets: Array<QueryTarget | undefined>;

  constructor(scenario: Pick<Scenario, 'users' | 'posts'>) {
    this.posts = scenario.posts;
    for (const user of scenario.users) {
      this.#usersById.set(user.id, user);
      this.#usersByName.set(user.username.toLowerCase(), user);
    }
    const n = scenario.posts.length;
    this.#ids = new BigUint64Array(n);
    this.#createdMs = new Float64Array(n);
    const byUser = new Map<string, number[]>();
    scenario.posts.forEach((post, i) => {
      const id = BigInt(post.id);
      if (i > 0 && id <= (this.#ids[i - 1] ?? 0n))
        throw new Error(`scenario posts must ascend by id (at ${post.id})`);
      this.#ids[i] = id;
      this.#createdMs[i] = post.createdAt.getTime();
      this.#postIndexById.set(post.id, i);
      const list = byUser.get(post.authorId);
      if (list) list.push(i);
      else byUser.set(post.authorId, [i]);
    });
    for (const [userId, list] of byUser) this.#postsByUser.set(userId, Int32Array.from(list));
    this.#targets = new Array(n);
  }

  get size(): number {
    return this.posts.length;
  }

  postAt(index: number): SimPost {
    const post = this.posts[index];
    if (!post) throw new RangeError(`no post at ${index}`);
    return post;
  }

  idAt(index: number): bigint {
    return this.#ids[index] ?? 0n;
  }

  createdMsAt(index: number): number {
    return this.#createdMs[index] ?? 0;
  }

  post(id: string): SimPost | undefined {
    const index = this.#postIndexById.get(id);
    return index === undefined ? undefined : this.posts[index];
  }

  user(id: string): SimUser | undefined {
    return this.#usersById.get(id);
  }

  userByUsername(username: string): SimUser | undefined {
    return this.#usersByName.get(username.toLowerCase());
  }

  /** Positions of the user's posts, ascending. */
  postsOf(userId: string): Int32Array {
    return this.#postsByUser.get(userId) ?? EMPTY;
  }

  /** The post as a search query sees it (built on first use, then kept). */
  target(index: number): QueryTarget {
    const known = this.#targets[index];
    if (known) return known;
    const post = this.postAt(index);
    const author = this.#usersById.get(post.authorId);
    if (!author) throw new Error(`post ${post.id} has an unknown author`);
    const parent = post.kind === 'reply' && post.referencedId ? this.post(post.referencedId) : undefined;
    const target = postTarget(post, author, parent ? this.#usersById.get(parent.authorId) : undefined);
    this.#targets[index] = target;
    return target;
  }

  /** Number of posts created at or before `ms` (= position of the first one after). */
  countCreatedBy(ms: number): number {
    return lowerBound(this.#createdMs.length, (i) => (this.#createdMs[i] ?? 0) <= ms);
  }

  /** Position of the first post created at or after `ms`. */
  firstCreatedFrom(ms: number): number {
    return lowerBound(this.#createdMs.length, (i) => (this.#createdMs[i] ?? 0) < ms);
  }

  /** Position of the first post whose id is greater than `id`. */
  firstIdAbove(id: bigint): number {
    return lowerBound(this.#ids.length, (i) => (this.#ids[i] ?? 0n) <= id);
  }

  /** Position of the first post whose id is at least `id`. */
  firstIdFrom(id: bigint): number {
    return lowerBound(this.#ids.length, (i) => (this.#ids[i] ?? 0n) < id);
  }
}

/** First position in [0, length) where `before` turns false (`before` must be true, then false). */
function lowerBound(length: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
