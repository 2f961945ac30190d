import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkAlerts } from '../../src/alerts/check.ts';
import { watchAlerts } from '../../src/alerts/watch.ts';
import { postWebhook } from '../../src/alerts/webhook.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { storeNetworkPage } from '../../src/db/network-posts-repository.ts';
import type { NetworkAccount } from '../../src/networks/types.ts';
import { blueskyAccount, blueskyPost } from '../support/network-records.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
} from '../support/services.ts';

/** A Slack/Mattermost-like incoming webhook on 127.0.0.1: records bodies, answers `status`. */
class Receiver {
  messages: string[] = [];
  status = 200;
  #server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (this.status === 200) this.messages.push((JSON.parse(body) as { text: string }).text);
      response
        .writeHead(this.status, { 'Content-Type': 'text/plain' })
        .end(this.status === 200 ? 'ok' : 'no');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks/${randomUUID()}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const clock = new ManualClock('2016-12-08T10:00:00Z');
const receiver = new Receiver();
let t: TestDatabase;
let db: Db;
let campaignId: number;
let nextPost = 1;

const fileText = (alerts: string) => `slug: ogp16
name: Open Data Forum & friends
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
${alerts}`;

async function posts(authorId: string, count: number): Promise<void> {
  const at = '2016-12-08T09:00:00Z';
  const rows = Array.from({ length: count }, () => ({
    id: String(nextPost++),
    author_id: authorId,
    created_at: at,
    text: 'hello #OGP16',
    lang: 'en',
    kind: 'post' as const,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: 0,
    repost_count: 0,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: at,
    first_seen_at: at,
  }));
  await db.insertInto('posts').values(rows).execute();
  const query = await db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow();
  await db
    .insertInto('campaign_posts')
    .values(
      rows.map((row) => ({ campaign_id: campaignId, query_id: query.id, post_id: row.id, matched_at: at })),
    )
    .execute();
}

async function followers(count: number): Promise<void> {
  await db
    .insertInto('account_snapshots')
    .values({
      account_id: '100',
      observed_at: clock.now(),
      followers_count: count,
      following_count: 1,
      post_count: 1,
      listed_count: 0,
    })
    .execute();
}

const check = () => checkAlerts(db, campaignId, clock.now(), postWebhook);

beforeAll(async () => {
  await receiver.start();
  t = await createTestDatabase();
  db = t.db;
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await db
    .insertInto('accounts')
    .values(
      [
        ['1', 'alice'],
        ['2', 'bob'],
        ['100', 'OpenData_Forum'],
      ].map(([id, username]) => ({
        id: id as string,
        username: username as string,
        name: username as string,
        description: null,
        profile_image_url: null,
        verified: false,
        created_at: null,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .execute();
  const file = parseCampaignFile(
    fileText(`alerts: { webhook: "${receiver.url}", rank: [posts], followers: [500, 1000] }`),
    'ogp16.yaml',
  );
  campaignId = (await applyCampaign(db, file, seenAt)).campaignId;
  await posts('1', 5);
  await posts('2', 4);
  await posts('100', 2);
});

afterAll(async () => {
  await receiver.close();
  await t?.drop();
});

describe('checkAlerts', () => {
  test('the first reading sets the marks and announces nothing', async () => {
    await followers(480);
    expect(await check()).toEqual({ created: [], sent: 0, failed: 0 });
    const marks = await db
      .selectFrom('alert_marks')
      .select(['subject', 'value'])
      .orderBy('subject')
      .execute();
    expect(marks).toEqual([
      { subject: 'followers', value: 480 },
      { subject: 'rank:posts', value: 3 },
    ]);
    expect(receiver.messages).toEqual([]);
  });

  test('a rank move is announced once, as Slack-safe JSON text', async () => {
    clock.advance(60_000);
    await posts('100', 4); // 6 posts: n°1
    expect(await check()).toEqual({ created: ['rank:posts:up:1'], sent: 1, failed: 0 });
    expect(receiver.messages).toEqual([
      '📈 @OpenData_Forum moved up to n°1 by posts on X (was n°3) — Open Data Forum &amp; friends',
    ]);
    clock.advance(60_000);
    expect(await check()).toEqual({ created: [], sent: 0, failed: 0 });
    expect(receiver.messages).toHaveLength(1);
  });

  test('concurrent checks of the same write send one alert', async () => {
    clock.advance(60_000);
    await posts('1', 3); // alice 8: the home account drops to n°2
    const results = await Promise.all(Array.from({ length: 6 }, () => check()));
    expect(results.flatMap((result) => result.created)).toEqual(['rank:posts:down:2']);
    expect(results.reduce((sum, result) => sum + result.sent, 0)).toBe(1);
    expect(receiver.messages.at(-1)).toBe(
      '📉 @OpenData_Forum dropped to n°2 by posts on X (was n°1) — Open Data Forum &amp; friends',
    );
    expect(receiver.messages).toHaveLength(2);
  });

  test('a key is sent once per campaign: trading places again is not announced again', async () => {
    clock.advance(60_000);
    await posts('100', 3); // 9 > 8: n°1 again
    expect((await check()).created).toEqual([]);
    expect(receiver.messages).toHaveLength(2);
  });

  test('a check older than the last one changes nothing', async () => {
    await posts('1', 5); // alice 13: the home account would be n°2 again
    const stale = await checkAlerts(db, campaignId, new Date(clock.now().getTime() - 3_600_000), postWebhook);
    expect(stale.created).toEqual([]);
    const mark = await db
      .selectFrom('alert_marks')
      .select('value')
      .where('subject', '=', 'rank:posts')
      .executeTakeFirstOrThrow();
    expect(mark.value).toBe(1);
  });

  test('a follower milestone; a failing webhook keeps the alert for the next check', async () => {
    clock.advance(60_000);
    await followers(503);
    receiver.status = 500;
    const failed = await check();
    expect(failed.created).toContain('followers:500');
    expect(failed.failed).toBe(1);
    const pending = await db
      .selectFrom('alerts')
      .select(['attempts', 'last_error', 'sent_at'])
      .where('key', '=', 'followers:500')
      .executeTakeFirstOrThrow();
    expect(pending).toMatchObject({
      attempts: 1,
      sent_at: null,
      last_error: 'alert webhook answered HTTP 500',
    });
    expect(pending.last_error).not.toContain('127.0.0.1');

    receiver.status = 200;
    clock.advance(60_000);
    const retried = await check();
    expect(retried.sent).toBeGreaterThanOrEqual(1);
    expect(receiver.messages).toContain(
      '🎉 @OpenData_Forum passed 500 followers on X (503 now) — Open Data Forum &amp; friends',
    );
    expect(receiver.messages.filter((text) => text.includes('500 followers'))).toHaveLength(1);
  });

  test('checked after each write announced on Redis', async () => {
    const channel = `test-campaign-updated-${randomUUID()}`;
    const watcher = watchAlerts({
      db,
      redisUrl: testRedisUrl,
      channel,
      clock,
      log: silentLog,
      throttleMs: 50,
    });
    const publisher = new Redis(testRedisUrl);
    try {
      clock.advance(60_000);
      await followers(1004);
      const before = receiver.messages.length;
      // The subscription is asynchronous: publish until the watcher has heard one.
      await eventually(
        async () => {
          await publisher.publish(channel, JSON.stringify({ campaignId }));
          return receiver.messages.length > before ? true : undefined;
        },
        { what: 'the 1,000 followers alert', timeoutMs: 10_000, intervalMs: 200 },
      );
      expect(receiver.messages.at(-1)).toMatch(
        /^🎉 @OpenData_Forum passed 1,000 followers on X \(1,004 now\)/,
      );
    } finally {
      publisher.disconnect();
      await watcher.close();
    }
  });

  test('a campaign file without `alerts:` turns them off', async () => {
    await applyCampaign(db, parseCampaignFile(fileText(''), 'ogp16.yaml'), clock.now());
    expect(await db.selectFrom('campaign_alert_settings').selectAll().execute()).toEqual([]);
    clock.advance(60_000);
    await followers(5000);
    expect(await check()).toEqual({ created: [], sent: 0, failed: 0 });
  });
});

describe('a campaign on X and Bluesky', () => {
  const at = new Date('2016-12-08T09:00:00Z');

  test('ranks are read on each network and across, followers on each; every alert names where', async () => {
    const file = parseCampaignFile(
      `slug: forum
name: Forum
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: { name: Open Data Forum, x: OpenData_Forum, bluesky: opendataforum.bsky.social }
queries: { x: ["#forum"], bluesky: ["#OGP16"] }
alerts: { webhook: "${receiver.url}", rank: [posts], followers: [500] }`,
      'forum.yaml',
    );
    const forum = (await applyCampaign(db, file, clock.now())).campaignId;
    const query = await db
      .selectFrom('campaign_queries')
      .select('id')
      .where('campaign_id', '=', forum)
      .where('network', '=', 'bluesky')
      .executeTakeFirstOrThrow();
    const home = blueskyAccount('did:plc:home', 'opendataforum.bsky.social');
    const peer = blueskyAccount('did:plc:peer', 'peer.bsky.social');
    let n = 0;
    const store = (author: NetworkAccount, count: number) =>
      storeNetworkPage(db, {
        network: 'bluesky',
        posts: Array.from({ length: count }, () => blueskyPost(author, `p${n++}`, at)),
        accounts: [author],
        observedAt: at,
        source: 'recent',
        match: { campaignId: forum, queryId: query.id },
      });
    await store(peer, 3);
    await store(home, 1);
    const homeId = (
      await db
        .selectFrom('accounts')
        .select('id')
        .where('native_id', '=', 'did:plc:home')
        .executeTakeFirstOrThrow()
    ).id;
    const reading = (followers: number) =>
      db
        .insertInto('account_snapshots')
        .values({
          account_id: homeId,
          observed_at: clock.now(),
          followers_count: followers,
          following_count: 1,
          post_count: 1,
          listed_count: null,
        })
        .execute();
    await reading(480);
    const forumCheck = () => checkAlerts(db, forum, clock.now(), postWebhook);
    expect((await forumCheck()).created).toEqual([]);

    clock.advance(60_000);
    await store(home, 3);
    await reading(505);
    const { created } = await forumCheck();
    expect(created.sort()).toEqual([
      'followers:bluesky:500',
      'rank:posts:all:up:1',
      'rank:posts:bluesky:up:1',
    ]);
    const texts = await db
      .selectFrom('alerts')
      .select(['key', 'text'])
      .where('campaign_id', '=', forum)
      .orderBy('key')
      .execute();
    expect(texts).toEqual([
      {
        key: 'followers:bluesky:500',
        text: '🎉 @opendataforum.bsky.social passed 500 followers on Bluesky (505 now) — Forum',
      },
      {
        key: 'rank:posts:all:up:1',
        text: '📈 @opendataforum.bsky.social moved up to n°1 by posts across networks (was n°2) — Forum',
      },
      {
        key: 'rank:posts:bluesky:up:1',
        text: '📈 @opendataforum.bsky.social moved up to n°1 by posts on Bluesky (was n°2) — Forum',
      },
    ]);
  });
});
