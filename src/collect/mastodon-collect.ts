import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { emptyCounts, finishRun, type RunCounts, startRun } from '../db/collection-runs.ts';
import type { Db } from '../db/database.ts';
import {
  type MastodonCursor,
  mastodonCampaignAuthors,
  mastodonCampaignStatuses,
  mastodonNamedAccounts,
  mastodonQueries,
  mastodonQuery,
  saveHomeReadings,
  saveMastodonCursor,
  storeMastodonPosts,
} from '../db/mastodon-repository.ts';
import type { MastodonClient } from '../networks/mastodon/client.ts';
import {
  MastodonNotFoundError,
  MastodonRateLimitError,
  MastodonTransientError,
} from '../networks/mastodon/errors.ts';
import { parseInstance } from '../networks/mastodon/instances.ts';
import type { MastodonPage } from '../networks/mastodon/types.ts';
import type { NetworkAccount, NetworkPost } from '../networks/types.ts';

/**
 * A campaign's Mastodon side, stored: each (tag, instance) query is polled forward and walked back on its
 * own instance from the cursor stored with its rows (src/db/mastodon-repository.ts), and each home
 * instance is read for what only it knows for sure: fresh counts of its statuses, its accounts'
 * followers, and the boosts of the campaign's named accounts living there (tag timelines never list
 * boosts). Every function touches one instance, so the workers run each on that instance's queue
 * (src/jobs/mastodon-queues.ts). No BullMQ here: the workers, the CLI and tests call these alike. A rate
 * limit is thrown (MastodonRateLimitError) for the caller to wait out; what was stored stays stored.
 */
export interface MastodonCollectContext {
  db: Db;
  mastodon: MastodonClient;
  clock: Clock;
  log: Logger;
  /** the queue job this work runs for (`queue:id`): the run log closes what its earlier attempts left open */
  job?: string;
}

/**
 * One request, tried again after a transient failure: an instance that drops a connection now and then
 * must not cost a whole job attempt (and its backoff) per drop. Rate limits and refusals go up at once.
 */
async function withRetries<T>(ctx: MastodonCollectContext, request: () => Promise<T>): Promise<T> {
  const delays = [500, 1000, 2000];
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const delay = delays[attempt];
      if (!(error instanceof MastodonTransientError) || delay === undefined) throw error;
      ctx.log.debug({ err: error.message, delay }, 'Mastodon request failed, trying again');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface MastodonReadResult {
  pages: number;
  postsNew: number;
  /** base URLs of the home instances of what was stored: they have counts and followers to read */
  homes: string[];
}

/**
 * The campaign's tags on one instance, as one run: each (tag, instance) query polled for statuses newer
 * than its cursor, then walked back until the window's start. One run per instance, so an instance that
 * refuses is one line in the run log however many tags the campaign reads there.
 */
export async function readMastodonInstance(
  ctx: MastodonCollectContext,
  campaignId: number,
  instance: string,
): Promise<MastodonReadResult> {
  const target = parseInstance(instance);
  const queries = (await mastodonQueries(ctx.db, campaignId)).filter(
    (query) => parseInstance(query.instance).baseUrl === target.baseUrl,
  );
  const result: MastodonReadResult = { pages: 0, postsNew: 0, homes: [] };
  if (queries.length === 0) return result;
  const homes = new Set<string>();
  await recordMastodonRun(ctx, { campaignId, kind: 'mastodon-tags', target: target.name }, async (counts) => {
    for (const direction of ['poll', 'backfill'] as const) {
      for (const { id } of queries) {
        const read = await readTag(ctx, id, direction, counts);
        result.pages += read.pages;
        result.postsNew += read.postsNew;
        for (const home of read.homes) homes.add(home);
      }
    }
  });
  result.homes = [...homes];
  return result;
}

/**
 * One query read in one direction. A poll reads forward from the newest status stored (`min_id`); the
 * first read of a query takes the newest page and starts the walk back; a walk back reads below the
 * oldest status reached (`max_id`) until the window's start. Each page moves the cursor with its rows.
 */
async function readTag(
  ctx: MastodonCollectContext,
  queryId: number,
  direction: 'poll' | 'backfill',
  counts: RunCounts,
): Promise<MastodonReadResult> {
  const query = await mastodonQuery(ctx.db, queryId);
  const result: MastodonReadResult = { pages: 0, postsNew: 0, homes: [] };
  if (!query || (direction === 'backfill' && query.cursor.backfillDone)) return result;
  const instance = query.instance;
  const homes = new Set<string>();
  const cursor: MastodonCursor = { ...query.cursor };
  for (;;) {
    const first = cursor.newestId === null;
    let page: MastodonPage;
    try {
      page = await withRetries(ctx, () =>
        ctx.mastodon.tagTimeline(instance, {
          tags: [query.query],
          ...(direction === 'poll' && !first ? { minId: cursor.newestId as string } : {}),
          ...(direction === 'backfill' && cursor.oldestId ? { maxId: cursor.oldestId } : {}),
        }),
      );
    } catch (error) {
      // The instance has never seen the tag: nothing to read yet, the cursor stays where it is.
      if (error instanceof MastodonNotFoundError) break;
      throw error;
    }
    counts.requests++;
    result.pages++;
    if (page.newestId === null) break;
    const moved: Partial<MastodonCursor> = {};
    if (first || direction === 'poll') moved.newestId = page.newestId;
    if (first || direction === 'backfill') {
      moved.oldestId = page.oldestId;
      moved.backfillDone =
        !page.next || (page.oldestCreatedAt !== null && page.oldestCreatedAt < query.window_start);
    }
    Object.assign(cursor, moved);
    const posts = page.posts.filter((post) => post.kind !== 'repost' && post.createdAt >= query.window_start);
    const observedAt = ctx.clock.now();
    const postsNew = await ctx.db.transaction().execute(async (trx) => {
      const stored = await storeMastodonPosts(trx, {
        campaignId: query.campaign_id,
        queryId,
        posts,
        accounts: page.accounts,
        observedAt,
        source: direction === 'poll' ? 'recent' : 'archive',
      });
      await saveMastodonCursor(trx, queryId, moved);
      return stored;
    });
    counts.postsNew += postsNew;
    result.postsNew += postsNew;
    for (const home of homesOf(ctx.mastodon, posts)) homes.add(home);
    // `next` only follows a full page: without it the poll has reached the newest status.
    if (direction === 'poll' ? first || !page.next : cursor.backfillDone) break;
  }
  result.homes = [...homes];
  return result;
}

function homesOf(client: MastodonClient, posts: readonly NetworkPost[]): Set<string> {
  const homes = new Set(client.planHomeReads(posts).batches.map((batch) => batch.instance));
  for (const post of posts) homes.add(client.homeInstanceOf(post.authorId));
  return homes;
}

export interface MastodonHomeResult {
  /** statuses whose counts were read from this home */
  statuses: number;
  /** accounts whose followers were read */
  accounts: number;
  /** boosts of campaign statuses by the named accounts of this home */
  reposts: number;
}

/**
 * Reads, on one home instance, the campaign's statuses that live there (fresh counts), their authors
 * and the named accounts (followers), and the named accounts' boosts of campaign-tagged statuses in the
 * window. Statuses stored while it runs are read before it ends, so a queued home job that found this
 * one running (fixed job ids) loses nothing.
 */
export async function readMastodonHome(
  ctx: MastodonCollectContext,
  campaignId: number,
  instance: string,
): Promise<MastodonHomeResult> {
  const home = parseInstance(instance);
  const client = ctx.mastodon;
  const campaign = await ctx.db
    .selectFrom('campaigns')
    .select(['window_start', 'window_end'])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  const result: MastodonHomeResult = { statuses: 0, accounts: 0, reposts: 0 };
  if (!campaign) return result;
  return recordMastodonRun(ctx, { campaignId, kind: 'mastodon-home', target: home.name }, async (counts) => {
    const readStatuses = new Set<string>();
    const readAccounts = new Set<string>();
    for (;;) {
      const statuses = (await mastodonCampaignStatuses(ctx.db, campaignId)).filter(
        (uri) => !readStatuses.has(uri),
      );
      const { batches } = client.planHomeReads(statuses.map((uri) => ({ id: uri, url: null })));
      const mine = batches.filter((batch) => batch.instance === home.baseUrl);
      const authors = (await mastodonCampaignAuthors(ctx.db, campaignId)).filter(
        (author) => !readAccounts.has(author.uri) && client.homeInstanceOf(author.uri) === home.baseUrl,
      );
      if (mine.length === 0 && authors.length === 0) break;
      for (const batch of mine) {
        const read = await withRetries(ctx, () => client.homeCounts(batch));
        counts.requests++;
        for (const status of batch.statuses) readStatuses.add(status.uri);
        for (const uri of read.authors.keys()) readAccounts.add(uri);
        const written = await saveHomeReadings(ctx.db, {
          campaignId,
          counts: read.counts,
          accounts: [...read.authors.values()],
          observedAt: ctx.clock.now(),
        });
        counts.postsUpdated += written;
        result.statuses += written;
        result.accounts += read.authors.size;
      }
      // Authors whose statuses did not bring them (a failed batch, a status gone since).
      for (const author of authors.filter((a) => !readAccounts.has(a.uri))) {
        readAccounts.add(author.uri);
        const account = await optional(ctx, () =>
          client.homeAccount({ id: author.uri, handle: author.handle }),
        );
        counts.requests++;
        if (!account) continue;
        await saveHomeReadings(ctx.db, {
          campaignId,
          counts: new Map(),
          accounts: [account],
          observedAt: ctx.clock.now(),
        });
        result.accounts++;
      }
    }
    const named = (await mastodonNamedAccounts(ctx.db, campaignId)).filter(
      (handle) => client.homeInstanceOfHandle(handle) === home.baseUrl,
    );
    for (const handle of named) {
      const account = await optional(ctx, () => client.lookupAccount(handle));
      counts.requests++;
      if (!account) {
        ctx.log.warn({ handle }, `${handle}: no such account on ${home.name}; check the campaign file`);
        continue;
      }
      if (!readAccounts.has(account.id)) {
        await saveHomeReadings(ctx.db, {
          campaignId,
          counts: new Map(),
          accounts: [account],
          observedAt: ctx.clock.now(),
        });
        result.accounts++;
      }
      const reposts = await storeBoosts(ctx, campaignId, handle, campaign, counts);
      result.reposts += reposts;
      counts.postsNew += reposts;
    }
    return result;
  });
}

/**
 * The account's boosts, in the window, of statuses carrying a campaign tag, from its timeline on its home
 * (read back to the window's start). A boost joins the campaign under a query of the tag it carries; the
 * boosted status itself is left to the tag timelines (a status none of the campaign's instances serves is
 * not the campaign's post, but its boost is still the booster's repost).
 */
async function storeBoosts(
  ctx: MastodonCollectContext,
  campaignId: number,
  handle: string,
  window: { window_start: Date; window_end: Date },
  counts: RunCounts,
): Promise<number> {
  const queryOfTag = new Map<string, number>();
  for (const query of await mastodonQueries(ctx.db, campaignId)) {
    const tag = query.query.toLowerCase();
    if (!queryOfTag.has(tag)) queryOfTag.set(tag, query.id);
  }
  const boosts = new Map<number, { posts: NetworkPost[]; accounts: NetworkAccount[] }>();
  let page: MastodonPage | null = await withRetries(ctx, () => ctx.mastodon.accountTimeline(handle));
  let stored = 0;
  while (page) {
    counts.requests++;
    const byUri = new Map(page.posts.map((post) => [post.id, post]));
    for (const post of page.posts) {
      if (
        post.kind !== 'repost' ||
        post.createdAt < window.window_start ||
        post.createdAt >= window.window_end
      ) {
        continue;
      }
      const boosted = post.referencedPostId ? byUri.get(post.referencedPostId) : undefined;
      const queryId = boosted?.hashtags.map((tag) => queryOfTag.get(tag)).find((id) => id !== undefined);
      if (queryId === undefined) continue;
      const entry = boosts.get(queryId) ?? { posts: [], accounts: page.accounts };
      entry.posts.push(post);
      boosts.set(queryId, entry);
    }
    const next: string | null = page.next;
    if (!next || (page.oldestCreatedAt && page.oldestCreatedAt < window.window_start)) break;
    const instance: string = page.instance;
    page = await withRetries(ctx, () => ctx.mastodon.accountTimelineAt(instance, next));
  }
  for (const [queryId, entry] of boosts) {
    stored += await storeMastodonPosts(ctx.db, {
      campaignId,
      queryId,
      posts: entry.posts,
      accounts: entry.accounts,
      observedAt: ctx.clock.now(),
      source: 'timeline',
    });
  }
  return stored;
}

/** The account, or undefined when its home does not know it (deleted, moved). */
async function optional(
  ctx: MastodonCollectContext,
  read: () => Promise<NetworkAccount>,
): Promise<NetworkAccount | undefined> {
  try {
    return await withRetries(ctx, read);
  } catch (error) {
    if (error instanceof MastodonNotFoundError) return undefined;
    throw error;
  }
}

/**
 * The run log row of a Mastodon read, whatever the outcome (like src/collect/record-run.ts, without
 * X's budget: Mastodon is free). A rate limit ends the run `rate_limited` with the instance and the time
 * its queue waits until; a refusal ends it `failed` with the one line that says how to open the instance.
 */
async function recordMastodonRun<T>(
  ctx: MastodonCollectContext,
  target: { campaignId: number; kind: string; target: string },
  work: (counts: RunCounts) => Promise<T>,
): Promise<T> {
  const counts = emptyCounts();
  const runId = await startRun(ctx.db, { ...target, startedAt: ctx.clock.now(), job: ctx.job });
  try {
    const result = await work(counts);
    await finishRun(ctx.db, runId, { ...counts, finishedAt: ctx.clock.now(), outcome: 'ok' });
    return result;
  } catch (error) {
    const limited = error instanceof MastodonRateLimitError;
    const message = limited
      ? `${error.message}; ${error.instance} waits until ${error.resetAt.toISOString()}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
    await finishRun(ctx.db, runId, {
      ...counts,
      finishedAt: ctx.clock.now(),
      outcome: limited ? 'rate_limited' : 'failed',
      error: message,
    }).catch((logError) =>
      ctx.log.error({ err: logError, runId }, 'could not record the end of a Mastodon run'),
    );
    throw error;
  }
}
