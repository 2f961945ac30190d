import { sql } from 'kysely';
import { watchlist } from '../db/campaign-repository.ts';
import {
  insertNetworkAccountReadings,
  storeNetworkMetricReadings,
  storeNetworkPage,
} from '../db/network-posts-repository.ts';
import { duePosts } from './refresh-metrics.ts';
import { topAuthorIds } from './snapshot-accounts.ts';
import type { SourceContext } from './source.ts';
import { recordSourceRun } from './source-run.ts';

/**
 * The account side of collection for the networks other than X: the entities' author feeds (their
 * reposts of campaign posts count), follower readings and engagement re-reads. Each page or batch
 * is stored in its own transaction and every write is an upsert, so a job run again after a crash
 * doubles nothing.
 */

/**
 * Reads one watched account's feed, newest first, back to the newest item an earlier read stored
 * (its reading is marked `timeline`) or, the first time, to the campaign's start. Reposts of
 * campaign posts join the campaign under the original's query.
 */
export async function readAuthorFeed(ctx: SourceContext, campaignId: number, handle: string) {
  const network = ctx.source.network;
  const account = await ctx.db
    .selectFrom('campaign_accounts as w')
    .innerJoin('campaigns as c', 'c.id', 'w.campaign_id')
    .leftJoin('accounts as a', 'a.id', 'w.account_id')
    .select(['w.account_id', 'a.native_id', 'c.window_start'])
    .where('w.campaign_id', '=', campaignId)
    .where('w.network', '=', network)
    .where(sql<string>`lower(w.username)`, '=', handle.toLowerCase())
    .executeTakeFirst();
  // The account is resolved by the first follower reading.
  if (!account?.account_id || !account.native_id) return { pages: 0, postsNew: 0 };
  const { account_id: accountId, native_id: actor } = account;
  const { rows } = await sql<{ newest: Date | null }>`
    select max(p.created_at) as newest from posts p
    where p.author_id = ${accountId}
      and exists (select 1 from post_metric_snapshots s where s.post_id = p.id and s.source = 'timeline')
  `.execute(ctx.db);
  const stopAt = rows[0]?.newest ?? account.window_start;

  const run = { campaignId, kind: `${network}:feed`, target: `@${handle}` };
  return recordSourceRun(ctx, run, async (counts) => {
    let cursor: string | null = null;
    let pages = 0;
    let reachedStop = false;
    do {
      const observedAt = ctx.clock.now();
      const page = await ctx.source.authorFeed({ actor, cursor });
      counts.requests++;
      pages++;
      const stored = await storeNetworkPage(ctx.db, {
        network,
        posts: page.posts,
        accounts: page.accounts,
        observedAt,
        source: 'timeline',
        repostsOf: { campaignId },
      });
      counts.postsNew += stored.postsNew;
      counts.postsUpdated += stored.postsUpdated;
      cursor = page.cursor;
      reachedStop = page.posts.some((post) => post.createdAt < stopAt);
    } while (cursor && !reachedStop);
    return { pages, postsNew: counts.postsNew };
  });
}

/**
 * A follower reading of the entities' accounts on the network and of the campaign's top authors
 * there, dated at each request. A watched handle is asked for until it resolves, then its native id
 * (a renamed handle still resolves). `tick`: one reading per account per schedule tick.
 */
export async function readSourceFollowers(ctx: SourceContext, campaignId: number, tick: string | null) {
  const network = ctx.source.network;
  const watched = await watchlist(ctx.db, campaignId, network);
  const linkedIds = watched.flatMap((account) => (account.account_id ? [account.account_id] : []));
  const topIds = (await topAuthorIds(ctx.db, campaignId, network)).filter((id) => !linkedIds.includes(id));
  const nativeIds = await nativeIdsOf(ctx, 'accounts', [...linkedIds, ...topIds]);
  const actors = [
    ...watched.map((account) =>
      account.account_id ? (nativeIds.get(account.account_id) ?? account.username) : account.username,
    ),
    ...topIds.flatMap((id) => nativeIds.get(id) ?? []),
  ];
  const run = { campaignId, kind: `${network}:snapshot`, target: 'watchlist and top authors' };
  return recordSourceRun(ctx, run, async (counts) => {
    let snapshots = 0;
    for (const batch of batches(actors, ctx.source.lookupSize)) {
      const observedAt = ctx.clock.now();
      const lookup = await ctx.source.profiles(batch);
      counts.requests++;
      snapshots += await insertNetworkAccountReadings(ctx.db, network, lookup.found, observedAt, tick);
      await linkWatched(ctx, campaignId, lookup.found);
      for (const actor of lookup.missing) {
        ctx.log.warn({ campaignId, network, account: actor }, 'account did not resolve');
      }
    }
    return { snapshots };
  });
}

/** Watched handles resolved by a reading: their accounts linked (by handle, any case). */
async function linkWatched(
  ctx: SourceContext,
  campaignId: number,
  accounts: ReadonlyArray<{ id: string; handle: string }>,
) {
  if (accounts.length === 0) return;
  await sql`
    update campaign_accounts w set account_id = a.id
    from accounts a
    where w.campaign_id = ${campaignId} and w.network = ${ctx.source.network} and w.account_id is null
      and a.network = w.network and lower(a.username) = lower(w.username)
      and a.native_id = any(${accounts.map((account) => account.id)}::text[])
  `.execute(ctx.db);
}

/**
 * Re-reads the engagement of the campaign's posts on the network that are due (the checkpoints and
 * hourly top posts of src/collect/refresh-metrics.ts), a lookup batch per request; posts gone are
 * flagged deleted.
 */
export async function refreshSourceMetrics(ctx: SourceContext, campaignId: number, maxPosts = 2000) {
  const network = ctx.source.network;
  const ids = await duePosts(ctx.db, campaignId, ctx.clock.now(), maxPosts, network);
  if (ids.length === 0) return { posts: 0, deleted: 0 };
  const nativeIds = [...(await nativeIdsOf(ctx, 'posts', ids)).values()];
  const run = { campaignId, kind: `${network}:metrics`, target: `${nativeIds.length} posts` };
  return recordSourceRun(ctx, run, async (counts) => {
    let posts = 0;
    let deleted = 0;
    for (const batch of batches(nativeIds, ctx.source.lookupSize)) {
      const observedAt = ctx.clock.now();
      const lookup = await ctx.source.posts(batch);
      counts.requests++;
      const stored = await storeNetworkMetricReadings(ctx.db, network, { ...lookup, observedAt });
      counts.postsUpdated += stored.posts;
      posts += stored.posts;
      deleted += stored.deleted;
    }
    return { posts, deleted };
  });
}

async function nativeIdsOf(
  ctx: SourceContext,
  table: 'accounts' | 'posts',
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom(table)
    .select(['id', 'native_id'])
    .where('id', 'in', ids)
    .where('network', '=', ctx.source.network)
    .execute();
  return new Map(rows.flatMap((row) => (row.native_id ? [[row.id, row.native_id] as const] : [])));
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
