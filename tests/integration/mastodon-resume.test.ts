import { afterAll, beforeAll, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { readMastodonInstance } from '../../src/collect/mastodon-collect.ts';
import { MastodonClient } from '../../src/networks/mastodon/client.ts';
import { MastodonRateLimitError } from '../../src/networks/mastodon/errors.ts';
import {
  mastodonTruth,
  type RunningMastodonSimulator,
  startMastodonSimulator,
} from '../../src/simulator/mastodon/index.ts';
import { generateScenario, SCENARIO_PRESETS } from '../../src/simulator/scenario.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * A walk back stopped by a rate limit resumes from the cursor stored with its last page: nothing read
 * twice is stored twice, nothing is skipped.
 */
const scenario = generateScenario(SCENARIO_PRESETS['ogp16-small']);
const clock = new ManualClock(new Date(scenario.window.end.getTime() + 86_400_000));
let sim: RunningMastodonSimulator;
let t: TestDatabase;

beforeAll(async () => {
  sim = await startMastodonSimulator({
    scenario,
    clock,
    rateLimits: { 'mastodon.social': 4 },
    rateLimitWindowMs: 1500,
  });
  t = await createTestDatabase();
});
afterAll(async () => {
  await sim?.close();
  await t?.drop();
});

test('a walk back stopped by a rate limit resumes where its cursor stands', { timeout: 60_000 }, async () => {
  const instance = sim.directory['mastodon.social'] ?? '';
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'resume',
      name: 'Resume',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: { name: 'Home', mastodon: 'opendataforum@mastodon.social' },
      queries: { mastodon: { tags: ['OGP16'], instances: [instance] } },
    }),
    'resume.json',
  );
  const { campaignId } = await applyCampaign(t.db, file, clock.now());
  const ctx = { db: t.db, mastodon: new MastodonClient({ directory: sim.directory }), clock, log: silentLog };

  let postsNew = 0;
  let stops = 0;
  const cursors: unknown[] = [];
  for (;;) {
    try {
      postsNew += (await readMastodonInstance(ctx, campaignId, instance)).postsNew;
      break;
    } catch (error) {
      if (!(error instanceof MastodonRateLimitError)) throw error;
      stops++;
      const row = await t.db
        .selectFrom('campaign_queries')
        .select('cursor')
        .where('network', '=', 'mastodon')
        .executeTakeFirstOrThrow();
      cursors.push(row.cursor);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, error.resetAt.getTime() - Date.now()) + 50),
      );
    }
  }
  expect(stops).toBeGreaterThan(1);
  // Each stop left the walk somewhere further back, not done.
  expect(cursors.at(-1)).toMatchObject({
    backfillDone: false,
    newestId: expect.any(String),
    oldestId: expect.any(String),
  });
  const runs = await t.db
    .selectFrom('collection_runs')
    .select(['outcome', 'posts_new'])
    .orderBy('started_at')
    .execute();
  expect(runs.map((run) => run.outcome)).toEqual([...Array(stops).fill('rate_limited'), 'ok']);

  const truth = mastodonTruth(sim.world, {
    readable: ['mastodon.social'],
    tags: ['OGP16'],
    from: scenario.window.start,
    to: scenario.window.end,
    observedAt: clock.now(),
  });
  const stored = await t.db
    .selectFrom('posts')
    .select('native_id')
    .where('network', '=', 'mastodon')
    .where('created_at', '<', scenario.window.end)
    .execute();
  expect(new Set(stored.map((row) => row.native_id))).toEqual(new Set(truth.posts.keys()));
  const storedAll = await t.db.selectFrom('posts').select('id').where('network', '=', 'mastodon').execute();
  expect(runs.reduce((sum, run) => sum + run.posts_new, 0)).toBe(storedAll.length);
  const [query] = await t.db
    .selectFrom('campaign_queries')
    .select('cursor')
    .where('network', '=', 'mastodon')
    .execute();
  expect(query?.cursor).toMatchObject({ backfillDone: true });
  expect(postsNew).toBeGreaterThan(0);
});
