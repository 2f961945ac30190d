import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { findCampaign } from '../../src/db/campaigns.ts';
import { leaderboard } from '../../src/rank/leaderboard.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { compileQuery, postTarget } from '../../src/simulator/x/query/match.ts';
import { type RunningSimulator, startSimulator } from '../../src/simulator/x/server.ts';
import {
  createScratchDatabase,
  type ScratchDatabase,
  spawnTracker,
  stopProcess,
} from '../support/processes.ts';
import { defined, eventually } from '../support/services.ts';

/**
 * Issue 18: an event a month over, nothing of it within recent search's 7 days. `tracker collect
 * --backfill` reads the window through the full archive (/2/tweets/search/all, pages of 500) against
 * a simulator that allows one search (recent or archive) per 3 s: the command waits for every reset X
 * announces, never sends before it, stops cleanly on Ctrl-C during a wait, and a rerun ends exact.
 */
const scenario = generateScenario({ seed: 5, accounts: 60, posts: 1_500 });
const now = new Date(scenario.window.end.getTime() + 30 * 24 * 3600_000);
const token = randomBytes(20).toString('hex');
let simulator: RunningSimulator;
let database: ScratchDatabase;

const env = () => ({
  DATABASE_URL: database.url,
  X_BEARER_TOKEN: token,
  X_API_BASE_URL: simulator.baseUrl,
  TRACKER_CLOCK: `fixed:${now.toISOString()}`,
  LOG_LEVEL: 'warn',
});

/** The posts each query's archive search returns over the campaign window, from the scenario alone. */
function windowMatches(query: string): string[] {
  const users = new Map(scenario.users.map((user) => [user.id, user]));
  const posts = new Map(scenario.posts.map((post) => [post.id, post]));
  const compiled = compileQuery(query);
  return scenario.posts
    .filter((post) => {
      if (post.kind === 'repost') return false;
      if (post.createdAt < scenario.window.start || post.createdAt >= scenario.window.end) return false;
      const parent = post.kind === 'reply' && post.referencedId ? posts.get(post.referencedId) : undefined;
      const author = defined(users.get(post.authorId), 'author');
      return compiled.test(postTarget(post, author, parent ? users.get(parent.authorId) : undefined));
    })
    .map((post) => post.id);
}

beforeAll(async () => {
  simulator = await startSimulator({
    scenario,
    clock: new ManualClock(now),
    bearerToken: token,
    port: 0,
    rateLimitWindowMs: 3000,
    rateLimits: { search: 1, searchAll: 1 },
  });
  database = await createScratchDatabase();
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'summit',
      name: 'Summit',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist: scenario.watchlist,
    }),
    'summit.json',
  );
  await applyCampaign(database.db, file, now);
}, 60_000);

afterAll(async () => {
  await simulator?.close();
  await database?.drop();
});

describe('tracker collect on a window a month in the past', () => {
  test('--dry-run estimates the archive part from counts/all, and reads nothing', async () => {
    const run = spawnTracker(['collect', 'summit', '--dry-run'], env());
    const [code] = await once(run.child, 'exit');
    expect(code, run.output()).toBe(0);
    for (const query of scenario.queries) {
      const posts = windowMatches(query).length;
      expect(run.output()).toContain(
        `estimate ${query}, archive 2016-12-06 23:00 to 2016-12-09 23:00 UTC: ${posts.toLocaleString('en-US')} posts to read in ${Math.floor(posts / 500) + 1} archive request(s)`,
      );
    }
    expect(simulator.stats().requests.countsAll).toBe(2);
    expect(simulator.stats().requests.searchAll).toBe(0);
  }, 60_000);

  test('--backfill waits out every reset, stops on Ctrl-C, and a rerun ends at the ground truth', async () => {
    const first = spawnTracker(['collect', 'summit', '--backfill'], env());
    await eventually(
      async () => (/waiting for X's rate limit until/.test(first.output()) ? true : undefined),
      {
        timeoutMs: 30_000,
        what: () => `a wait in: ${first.output()}`,
      },
    );
    await stopProcess(first.child, 'SIGINT');
    expect(first.child.exitCode, first.output()).toBe(130);
    expect(first.output()).toContain('stopped: everything collected so far is stored');

    // A new process knows nothing of the reset the first one waited for: the check below is per run.
    const rerunAtMs = Date.now();
    const second = spawnTracker(['collect', 'summit', '--backfill'], env());
    const [code] = await once(second.child, 'exit');
    expect(code, second.output()).toBe(0);
    expect(second.output()).toMatch(/waiting for X's rate limit until \d\d:\d\d:\d\d \(\d+ s\)/);
    expect(second.output()).not.toMatch(/failed/);

    // Every post of the window, once, from the archive, each linked to the queries that match it.
    const db = database.db;
    for (const query of scenario.queries) {
      const linked = await db
        .selectFrom('campaign_posts')
        .innerJoin('campaign_queries', 'campaign_queries.id', 'campaign_posts.query_id')
        .innerJoin('posts', 'posts.id', 'campaign_posts.post_id')
        .select(['campaign_posts.post_id', 'posts.source'])
        .where('campaign_queries.query', '=', query)
        .execute();
      expect(new Set(linked.map((row) => row.post_id))).toEqual(new Set(windowMatches(query)));
      expect(new Set(linked.map((row) => row.source))).toEqual(new Set(['archive']));
    }
    const campaign = defined(await findCampaign(db, 'summit'), 'campaign');
    for (const metric of ['posts', 'mentions'] as const) {
      const board = await leaderboard(db, campaign, { metric, scope: 'all', limit: 1000 });
      const truth = scenario.truth.leaderboard(metric, { scope: 'all' }).filter((row) => row.value > 0);
      expect(
        board.rows.map((row) => [row.rank, row.username, row.value]),
        metric,
      ).toEqual(truth.map((row) => [row.rank, row.username, row.value]));
    }

    // Pages of 500: as few archive requests as the window's posts allow (over both runs).
    const archivePages = scenario.queries.reduce(
      (sum, query) => sum + Math.max(1, Math.ceil(windowMatches(query).length / 500)),
      0,
    );
    const log = simulator.requestLog().filter((request) => request.family === 'searchAll');
    expect(log.filter((request) => request.status === 200).length).toBe(archivePages);

    // No request before a reset: after an answer that spent the window (or a 429), the next request
    // of the same endpoint from the same run comes at or after the reset X announced.
    for (const family of ['search', 'searchAll'] as const) {
      const requests = simulator.requestLog().filter((request) => request.family === family);
      expect(requests.length).toBeGreaterThan(1);
      for (let i = 1; i < requests.length; i++) {
        const before = defined(requests[i - 1], 'request');
        const after = defined(requests[i], 'request');
        const sameRun = before.atMs >= rerunAtMs || after.atMs < rerunAtMs;
        if (sameRun && (before.remaining === 0 || before.status === 429)) {
          expect(after.atMs, `${family} #${i}`).toBeGreaterThanOrEqual(defined(before.reset, 'reset') * 1000);
        }
      }
      // Only the rerun's first request may meet a window the first run had spent: it cannot know.
      const rerunFirst = requests.find((request) => request.atMs >= rerunAtMs);
      expect(requests.filter((request) => request.status === 429 && request !== rerunFirst)).toEqual([]);
    }
  }, 180_000);
});
