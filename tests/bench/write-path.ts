import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ManualClock } from '../../src/clock.ts';
import { storePage } from '../../src/collect/store-page.ts';
import { XClient } from '../../src/x/client.ts';
import type { XPage, XPost, XUser } from '../../src/x/types.ts';
import { createTestDatabase, silentLog, testDatabaseUrl } from '../support/services.ts';

/**
 * Write path: posts per second stored through our upsert path (pages of 100 posts with their
 * authors, as X returns them: accounts, posts, metric snapshots, campaign links, one transaction
 * per page) against PostgreSQL COPY of the same rows into the same tables — the machine's limit.
 */
export async function benchWritePath(postsCount: number): Promise<Record<string, string | number>> {
  const pages = syntheticPages(postsCount, Math.max(10, Math.round(postsCount / 25)));

  const ours = await createTestDatabase();
  const ctx = {
    db: ours.db,
    x: new XClient({ bearerToken: 'unused-by-this-bench', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock('2016-12-10T00:00:00Z'),
    log: silentLog,
  };
  const { campaignId, queryId } = await seedCampaign(ours.db);
  let started = performance.now();
  for (const page of pages)
    await storePage(ctx, { page, observedAt: ctx.clock.now(), match: { campaignId, queryId } });
  const upsertMs = performance.now() - started;
  await ours.drop();

  const baseline = await createTestDatabase();
  const ids = await seedCampaign(baseline.db);
  const client = new pg.Client({
    connectionString: testDatabaseUrl,
    options: `-c search_path=${baseline.schema}`,
  });
  await client.connect();
  started = performance.now();
  await copyRows(
    client,
    'accounts(id, username, name, first_seen_at, last_seen_at)',
    uniqueUsers(pages),
    (u) => [u.id, u.username, u.name, '2016-12-10T00:00:00Z', '2016-12-10T00:00:00Z'],
  );
  const posts = pages.flatMap((page) => page.posts);
  await copyRows(
    client,
    'posts(id, author_id, created_at, text, kind, hashtags, mentions, like_count, repost_count, reply_count, quote_count, metrics_observed_at, first_seen_at)',
    posts,
    (p) => [
      p.id,
      p.authorId,
      p.createdAt.toISOString(),
      p.text,
      p.kind,
      `{${p.hashtags.join(',')}}`,
      '{}',
      p.metrics.like,
      p.metrics.repost,
      p.metrics.reply,
      p.metrics.quote,
      '2016-12-10T00:00:00Z',
      '2016-12-10T00:00:00Z',
    ],
  );
  await copyRows(
    client,
    'post_metric_snapshots(post_id, observed_at, like_count, repost_count, reply_count, quote_count)',
    posts,
    (p) => [p.id, '2016-12-10T00:00:00Z', p.metrics.like, p.metrics.repost, p.metrics.reply, p.metrics.quote],
  );
  await copyRows(client, 'campaign_posts(campaign_id, query_id, post_id, matched_at)', posts, (p) => [
    ids.campaignId,
    ids.queryId,
    p.id,
    '2016-12-10T00:00:00Z',
  ]);
  const copyMs = performance.now() - started;
  await client.end();
  await baseline.drop();

  const perSecond = (ms: number) => Math.round(postsCount / (ms / 1000));
  return {
    baseline: 'COPY, one statement per table, into the same tables with the same triggers',
    posts: postsCount,
    'upsert path (posts/s)': perSecond(upsertMs),
    'COPY baseline (posts/s)': perSecond(copyMs),
    'upsert / COPY': (copyMs / upsertMs).toFixed(2),
  };
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
  const text = rows.map((row) => columns(row).map(escapeCopy).join('\t')).join('\n');
  await pipeline(Readable.from([`${text}\n`]), client.query(copyFrom(`copy ${target} from stdin`)));
}

function escapeCopy(value: string | number): string {
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
