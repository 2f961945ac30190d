import type { Transaction } from 'kysely';
import type { RunCounts } from '../db/collection-runs.ts';
import { storePageRows } from '../db/posts.ts';
import type { Database, PostSource } from '../db/schema.ts';
import type { BilledReads } from '../db/x-reads.ts';
import type { XPage } from '../networks/x/types.ts';
import type { CollectContext } from './context.ts';

export interface StoredPage {
  postsNew: number;
  postsUpdated: number;
  /** posts dropped because their author did not come with the page */
  orphans: number;
  /** what the page read, and what X bills of it (src/collect/budget.ts) */
  reads: BilledReads;
  /** entries left out: orphans, and entries of the payload that did not parse */
  skipped: number;
}

export interface PageTarget {
  page: XPage;
  /** when the request was sent: the instant the page's metric readings describe */
  observedAt: Date;
  /** how the page came (provenance of its new posts and of its readings) */
  source: PostSource;
  /** campaign query that matched the page's posts (search pages) */
  match?: { campaignId: number; queryId: number };
  /** moves the cursor that this page advances, inside the page's transaction */
  moveCursor?: (trx: Transaction<Database>) => Promise<unknown>;
}

/**
 * Stores one page of X posts with their authors, metric readings and campaign matches, in one
 * transaction with the cursor it advances: a crash never skips the page, and a replay finds its
 * rows already stored (every write is an upsert keyed on X ids).
 */
export async function storePage(ctx: CollectContext, target: PageTarget): Promise<StoredPage> {
  const { page } = target;
  const now = target.observedAt;
  const authors = new Set(page.users.map((user) => user.id));
  const posts = page.posts.filter((post) => authors.has(post.authorId));
  const orphans = page.posts.length - posts.length;
  if (orphans > 0 || page.skipped > 0) {
    ctx.log.warn({ orphans, skipped: page.skipped }, 'a page had entries that could not be stored');
  }
  const { inserted, reads } = await ctx.db.transaction().execute(async (trx) => {
    const result = await storePageRows(trx, {
      users: page.users,
      posts,
      observedAt: now,
      source: target.source,
      match: target.match,
      read: { postIds: page.posts.map((post) => post.id), userIds: page.users.map((user) => user.id) },
    });
    await target.moveCursor?.(trx);
    return result;
  });
  return {
    postsNew: inserted,
    postsUpdated: posts.length - inserted,
    orphans,
    skipped: orphans + page.skipped,
    reads,
  };
}

/** Adds a stored page to its run's counts (the run log's row). */
export function countStored(counts: RunCounts, stored: StoredPage): void {
  counts.postsNew += stored.postsNew;
  counts.postsUpdated += stored.postsUpdated;
  counts.entriesSkipped = (counts.entriesSkipped ?? 0) + stored.skipped;
}
