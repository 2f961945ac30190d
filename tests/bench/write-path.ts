import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ManualClock } from '../../src/clock.ts';
import { storePage } from '../../src/collect/store-page.ts';
import { XClient } from '../../src/networks/x/client.ts';
import type { XPage, XPost, XUser } from '../../src/networks/x/types.ts';
import { createTestDatabase, silentLog, testDatabaseUrl } from '../support/services.ts';

/**
 * Write path: posts per second stored through our upsert path (pages of 100 posts with their
 * authors, as X returns them: accounts, posts, metric readings, campaign links, billed reads, one
 * transaction per page) against PostgreSQL COPY of the same rows into the same tables, with the
 * same triggers and constraints — the machine's limit.
 *
 * Both write into a campaign that already holds `postsCount` posts with its statistics analyzed,
 * the state a collector works in once autovacuum has seen its tables (its first minute): on tables
 * never analyzed, PostgreSQL plans every lookup as a scan of a table it believes empty, which
 * measures the planner's guess and not the write path.
 */
export async function benchWritePath(postsCount: number): Promise<Record<string, string | number>> {
  const authors = Math.max(10, Math.round(postsCount / 25));
  const pages = syntheticPages(2 * postsCount, authors);
  const preload = pages.slice(0, pages.length / 2);
  const measured = pages.slice(pages.length / 2);

  const ours = await prepare(preload);
  const ctx = {
    db: ours.db,
    x: new XClient({ bearerToken: 'unused-by-this-bench', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock(observedAt),
    log: silentLog,
  };
  let started = performance.now();
  for (const page of measured)
    await storePage(ctx, { page, observedAt: ctx.clock.now(), source: 'recent', match: ours.match });
  const upsertMs = performance.now() - started;
  await ours.close();

  const baseline = await prepare(preload);
  started = performance.now();
  await copyPages(baseline.client, measured, baseline.match);
  const copyMs = performance.now() - started;
  await baseline.close();

  const perSecond = (ms: number) => Math.round(postsCount / (ms / 1000));
  return {
    baseline: 'COPY of the same rows, one statement per table, same tables, triggers and constraints',
    'posts already stored': postsCount,
    'posts written': postsCount,
    'upsert path (posts/s)': perSecond(upsertMs),
    'COPY baseline (posts/s)': perSecond(copyMs),
    'upsert / COPY': (copyMs / upsertMs).toFixed(2),
  };
}

const observedAt = '2016-12-10T00:00:00Z';
/** COPY's text format for a null. */
const NULL = '\\N';

/** A fresh schema holding the campaign and the preloaded pages, analyzed. */
async function prepare(preload: XPage[]) {
  const database = await createTestDatabase();
  const match = await seedCampaign(database.db);
  const client = new pg.Client({
    connectionString: testDatabaseUrl,
    options: `-c search_path=${database.schema}`,
  });
  await client.connect();
  await copyPages(client, preload, match);
  await client.query('analyze');
  return {
    db: database.db,
    match,
    client,
    async close() {
      await client.end();
      await database.drop();
    },
  };
}

/**
 * Every row storePage writes for these pages, by COPY: the accounts not stored yet, the posts, one
 * metrics reading each, the campaign links, and the day's billed reads.
 */
async function copyPages(client: pg.Client, pages: XPage[], match: { campaignId: number; queryId: number }) {
  const known = new Set(
    (await client.query<{ id: string }>('select id::text from accounts')).rows.map((row) => row.id),
  );
  const users = uniqueUsers(pages);
  await copyRows(
    client,
    'accounts(id, username, name, description, profile_image_url, verified, created_at, first_seen_at, last_seen_at)',
    users.filter((user) => !known.has(user.id)),
    (u) => [
      u.id,
      u.username,
      u.name,
      u.description ?? NULL,
      u.profileImageUrl ?? NULL,
      String(u.verified),
      u.createdAt?.toISOString() ?? NULL,
      observedAt,
      observedAt,
    ],
  );
  const posts = pages.flatMap((page) => page.posts);
  await copyRows(
    client,
    'posts(id, author_id, created_at, text, lang, kind, hashtags, mentions, like_count, repost_count, reply_count, quote_count, metrics_observed_at, first_seen_at)',
    posts,
    (p) => [
      p.id,
      p.authorId,
      p.createdAt.toISOString(),
      p.text,
      p.lang ?? NULL,
      p.kind,
      `{${p.hashtags.join(',')}}`,
      `{${p.mentions.join(',')}}`,
      p.metrics.like,
      p.metrics.repost,
      p.metrics.reply,
      p.metrics.quote,
      observedAt,
      observedAt,
    ],
  );
  await copyRows(
    client,
    'post_metric_snapshots(post_id, observed_at, like_count, repost_count, reply_count, quote_count)',
    posts,
    (p) => [p.id, observedAt, p.metrics.like, p.metrics.repost, p.metrics.reply, p.metrics.quote],
  );
  await copyRows(client, 'campaign_posts(campaign_id, query_id, post_id, matched_at)', posts, (p) => [
    match.campaignId,
    match.queryId,
    p.id,
    observedAt,
  ]);
  const day = observedAt.slice(0, 10);
  const billed = (
    await client.query<{ id: string }>(`select id::text from x_reads where kind = 'user'`)
  ).rows.map((row) => row.id);
  const billedUsers = new Set(billed);
  await copyRows(
    client,
    'x_reads(day, kind, id)',
    [
      ...posts.map((p) => ['post', p.id]),
      ...users.filter((u) => !billedUsers.has(u.id)).map((u) => ['user', u.id]),
    ],
    ([kind, id]) => [day, kind as string, id as string],
  );
}

async function seedCampaign(db: Awaited<ReturnType<typeof createTestDatabase>>['db']) {
  const campaign = await db
    .insertInto('campaigns')
    .values({
      slug: 'bench',
      name: 'bench',
      timezone: 'UTC',
      window_start: '2016-12-07T00:00:00Z',
      window_end: '2016-12-10T00:00:00Z',
      home_username: 'home',
      schedule: JSON.stringify({}),
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const query = await db
    .insertInto('campaign_queries')
    .values({ campaign_id: campaign.id, query: '#bench' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { campaignId: campaign.id, queryId: query.id };
}

async function copyRows<T>(
  client: pg.Client,
  target: string,
  rows: T[],
  columns: (row: T) => Array<string | number>,
) {
  if (rows.length === 0) return;
  const text = rows.map((row) => columns(row).map(escapeCopy).join('\t')).join('\n');
  await pipeline(Readable.from([`${text}\n`]), client.query(copyFrom(`copy ${target} from stdin`)));
}

function escapeCopy(value: string | number): string {
  if (value === NULL) return value;
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

function uniqueUsers(pages: XPage[]): XUser[] {
  return [...new Map(pages.flatMap((page) => page.users).map((user) => [user.id, user])).values()];
}

/** Pages of 100 posts with their authors, like a search walk returns them (newest first). */
function syntheticPages(postsCount: number, authorsCount: number): XPage[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const users: XUser[] = Array.from({ length: authorsCount }, (_, i) => ({
    id: String(1000 + i),
    username: `author_${i}`,
    name: `Author ${i}`,
    description: 'Open data, open government.',
    profileImageUrl: null,
    verified: false,
    createdAt: new Date('2012-01-01T00:00:00Z'),
    metrics: { followers: 100 + i, following: 50, posts: 1000, listed: 2 },
  }));
  const start = Date.parse('2016-12-07T00:00:00Z');
  const pages: XPage[] = [];
  for (let offset = 0; offset < postsCount; offset += 100) {
    const posts: XPost[] = [];
    for (let i = offset; i < Math.min(postsCount, offset + 100); i++) {
      const author = users[Math.floor(random() ** 2 * authorsCount)] as XUser;
      posts.push({
        id: String(806_000_000_000_000_000n + BigInt(i)),
        authorId: author.id,
        createdAt: new Date(start + i * 5000),
        text: `Post ${i} on #OGP16 about open data in local government, with some words to make it realistic.`,
        lang: 'en',
        kind: 'post',
        referencedPostId: null,
        conversationId: null,
        hashtags: ['ogp16'],
        mentions: [],
        metrics: {
          like: Math.floor(random() * 50),
          repost: 1,
          reply: 0,
          quote: 0,
          bookmark: null,
          impression: null,
        },
      });
    }
    const authorIds = new Set(posts.map((post) => post.authorId));
    pages.push({
      posts,
      users: users.filter((user) => authorIds.has(user.id)),
      problems: [],
      newestId: posts[posts.length - 1]?.id ?? null,
      oldestId: posts[0]?.id ?? null,
      nextToken: null,
      skipped: 0,
      rateLimit: null,
    });
  }
  return pages;
}
