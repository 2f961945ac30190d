import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard } from '../../dashboard/server/app.ts';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { requestPoll } from '../../src/jobs/enqueue.ts';
import { MastodonClient } from '../../src/networks/mastodon/client.ts';
import { XClient } from '../../src/networks/x/client.ts';
import {
  mastodonTruth,
  type RunningMastodonSimulator,
  startMastodonSimulator,
} from '../../src/simulator/mastodon/index.ts';
import { generateScenario, SCENARIO_PRESETS } from '../../src/simulator/scenario.ts';
import { type CollectionRuntime, startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  eventually,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * The Mastodon side end to end: the stand-in over HTTP → the client → one BullMQ queue per instance →
 * PostgreSQL, compared exactly with the stand-in's ground truth, with one instance refusing anonymous
 * readers, one limiting hard and one dropping connections.
 */
const TAGS = ['OGP16', 'OGPSummit'];
const scenario = generateScenario(SCENARIO_PRESETS['ogp16-small']);
const clock = new ManualClock(new Date(scenario.window.end.getTime() + 86_400_000));

let sim: RunningMastodonSimulator;
let t: TestDatabase;
let runtime: CollectionRuntime;
let campaignId: number;
let named: string[];

beforeAll(async () => {
  sim = await startMastodonSimulator({
    scenario,
    clock,
    rateLimits: { 'mastodon.green': 5 },
    rateLimitWindowMs: 2000,
    dropEvery: { 'fosstodon.org': 5 },
  });
  t = await createTestDatabase();
  runtime = await startCollection({
    db: t.db,
    // No X query in this campaign: the X client is never called.
    x: new XClient({ bearerToken: 'unused', baseUrl: 'http://127.0.0.1:9/2/' }),
    mastodon: new MastodonClient({ directory: sim.directory, timeoutMs: 5000 }),
    clock,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix: uniqueName('bull'),
    schedules: false,
  });
  named = sim.world.accounts
    .filter((account) => scenario.users.slice(0, 5).includes(account.user))
    .sort((a, b) => scenario.users.indexOf(a.user) - scenario.users.indexOf(b.user))
    .map((account) => account.handle);
  const [home, ...peers] = named;
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'masto',
      name: 'Mastodon side',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: { name: 'Open Data Forum', mastodon: home },
      watchlist: peers.map((handle, i) => ({ name: `Peer ${i + 1}`, mastodon: handle })),
      queries: { mastodon: { tags: TAGS, instances: sim.instances.map((instance) => instance.baseUrl) } },
    }),
    'masto.json',
  );
  campaignId = (await applyCampaign(t.db, file, clock.now())).campaignId;
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  await t?.drop();
});

/** Ticks the campaign and waits until every Mastodon queue is empty twice in a row. */
async function collectUntilQuiet() {
  await requestPoll(runtime.queues, campaignId);
  let quietOnce = false;
  await eventually(
    async () => {
      const mastodonQueues = Object.entries(runtime.queues).filter(([name]) => name.startsWith('mastodon-'));
      const search = await runtime.queues.search.getJobCounts('waiting', 'active');
      let busy = (search.waiting ?? 0) + (search.active ?? 0);
      for (const [, queue] of mastodonQueues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        busy += Object.values(counts).reduce((sum, n) => sum + n, 0);
      }
      const quiet = mastodonQueues.length >= sim.instances.length && busy === 0;
      const done = quiet && quietOnce;
      quietOnce = quiet;
      return done || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the Mastodon queues to drain' },
  );
}

describe('Mastodon through the workers', { timeout: 200_000 }, () => {
  test('every readable instance complete and exact; the refusal and the waits told', async () => {
    // Twice, as the live schedule does: the second tick reads on each home what the first stored late.
    await collectUntilQuiet();
    await collectUntilQuiet();

    const closed = sim.world.instances.find((spec) => spec.closedTagTimelines)?.domain ?? '';
    const truth = mastodonTruth(sim.world, {
      readable: sim.world.instances.filter((spec) => spec.domain !== closed).map((spec) => spec.domain),
      tags: TAGS,
      from: scenario.window.start,
      to: scenario.window.end,
      observedAt: clock.now(),
    });

    const stored = await t.db
      .selectFrom('posts as p')
      .innerJoin('accounts as a', 'a.id', 'p.author_id')
      .select([
        'p.native_id as uri',
        'a.native_id as author',
        'p.kind',
        'p.like_count',
        'p.repost_count',
        'p.reply_count',
        'p.quote_count',
        'p.mentions',
        'p.created_at',
      ])
      .where('p.network', '=', 'mastodon')
      .where('p.created_at', '>=', scenario.window.start)
      .where('p.created_at', '<', scenario.window.end)
      .execute();
    const statuses = stored.filter((post) => post.kind !== 'repost');
    expect(statuses.length).toBe(truth.posts.size);
    for (const post of statuses) {
      const expected = truth.posts.get(post.uri ?? '');
      expect({
        uri: post.uri,
        author: post.author,
        kind: post.kind,
        like: post.like_count,
        repost: post.repost_count,
        reply: post.reply_count,
        quote: post.quote_count,
        mentions: [...post.mentions].sort(),
      }).toEqual({
        uri: expected?.uri,
        author: expected?.authorUri,
        kind: expected?.kind,
        ...expected?.counts,
        mentions: [...(expected?.mentions ?? [])].sort(),
      });
    }

    // Followers from each author's home: the latest reading of every author of a campaign status.
    const readings = await sql<{ uri: string; followers: number }>`
      select distinct on (a.id) a.native_id as uri, s.followers_count as followers
      from accounts a join account_snapshots s on s.account_id = a.id
      where a.network = 'mastodon'
      order by a.id, s.observed_at desc`.execute(t.db);
    const followers = new Map(readings.rows.map((row) => [row.uri, row.followers]));
    for (const account of truth.accounts.values()) {
      if (account.posts > 0 || named.includes(account.handle)) {
        expect([account.handle, followers.get(account.uri)]).toEqual([account.handle, account.followers]);
      }
    }

    // Reposts: the named accounts' boosts of campaign statuses, each once.
    const boosts = new Map<string, number>();
    for (const post of stored.filter((p) => p.kind === 'repost')) {
      boosts.set(post.author ?? '', (boosts.get(post.author ?? '') ?? 0) + 1);
    }
    let namedReposts = 0;
    for (const account of truth.accounts.values()) {
      if (!named.includes(account.handle)) continue;
      namedReposts += account.reposts;
      expect([account.handle, boosts.get(account.uri) ?? 0]).toEqual([account.handle, account.reposts]);
    }
    expect(namedReposts).toBeGreaterThan(0);

    // The watchlist rows are linked to the accounts read on their homes.
    const unlinked = await t.db
      .selectFrom('campaign_accounts')
      .select('username')
      .where('network', '=', 'mastodon')
      .where('account_id', 'is', null)
      .execute();
    expect(unlinked).toEqual([]);

    // The run log: the refusal as one line per tick, the waits of the limiting instance.
    const runs = await t.db
      .selectFrom('collection_runs')
      .select(['kind', 'target', 'outcome', 'error'])
      .where('campaign_id', '=', campaignId)
      .execute();
    const refusals = runs.filter((run) => run.error?.includes('MASTODON_TOKENS'));
    expect(refusals).toHaveLength(2);
    expect(refusals[0]?.target).toContain(closed);
    expect(refusals[0]?.error).toMatch(
      /keeps its tag timelines from anonymous readers; add .+=<token> to MASTODON_TOKENS$/,
    );
    const waits = runs.filter((run) => run.outcome === 'rate_limited');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((run) => run.target.endsWith('mastodon.green'))).toBe(true);
    expect(waits[0]?.error).toMatch(/answered 429.*waits until \d{4}-\d\d-\d\dT/);
    expect(runs.filter((run) => run.outcome === 'failed')).toEqual(refusals);

    // The API ranks them: network=mastodon boards equal the truth, account by account.
    const app = createDashboard({ db: t.db, clock, demo: false, log: silentLog, queues: runtime.queues });
    try {
      const window = `from=${scenario.window.start.toISOString()}&to=${scenario.window.end.toISOString()}`;
      for (const metric of ['posts', 'engagement', 'mentions'] as const) {
        const response = await app.request(
          `/api/v1/campaigns/masto/leaderboard?metric=${metric}&scope=all&network=mastodon&limit=500&${window}`,
        );
        const { rows } = (await response.json()) as { rows: Array<{ username: string; value: number }> };
        const got = Object.fromEntries(
          rows.filter((row) => row.value > 0).map((row) => [row.username, row.value]),
        );
        const expected = Object.fromEntries(
          [...truth.accounts.values()].filter((a) => a[metric] > 0).map((a) => [a.handle, a[metric]]),
        );
        expect({ metric, values: got }).toEqual({ metric, values: expected });
      }

      // /ops shows the refusal and the waits.
      const page = await (await app.request('/ops')).text();
      expect(page).toContain('keeps its tag timelines from anonymous readers');
      expect(page).toMatch(/mastodon-127\.0\.0\.1_\d+_i_mastodon\.green/);
      expect(page).toContain('answered 429');
    } finally {
      await app.close();
    }
  });
});
