import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { backfillQuery } from '../../src/collect/backfill-query.ts';
import type { CollectContext } from '../../src/collect/context.ts';
import { pollQuery } from '../../src/collect/poll-query.ts';
import { activeQueries } from '../../src/db/campaigns.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { campaignPostIds } from '../support/ground-truth.ts';
import { createTestDatabase, silentLog } from '../support/services.ts';

/**
 * Collection of the `ogp16` scenario against the simulator with the Pro tier's limits: the first poll
 * and the backfill of every query, then two simulated days of live polling (every 2 minutes, the
 * campaign's `live` schedule), through the real X client and the use-cases the workers run. The
 * clock is stepped by hand, so two days take seconds; the tier's windows follow it. Counts come from the simulator (what it
 * served) and the run log (what the collector says it did); posts are compared with the ground truth.
 */
export async function benchCollection(): Promise<Record<string, string | number>> {
  const scenario = generateScenario();
  // The campaign is applied at the end of the summit's first day: the backfill walks back over the eve
  // and that day, then live polling follows the last two days.
  const start = new Date(scenario.window.start.getTime() + 24 * 3600_000);
  const clock = new ManualClock(start);
  const token = 'bench-collection-bearer-token';
  // The tier's 15-minute windows run on the simulated clock, as the demo's do: two days pass in
  // seconds, and the limits still mean "requests per 15 minutes of the event".
  const simulator = await startSimulator({
    scenario,
    clock,
    bearerToken: token,
    tier: 'pro',
    realNow: () => clock.now().getTime(),
  });
  const t = await createTestDatabase();
  try {
    const ctx: CollectContext = {
      db: t.db,
      x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
      clock,
      log: silentLog,
    };
    const file = parseCampaignFile(
      JSON.stringify({
        slug: 'ogp16',
        name: 'OGP16',
        timezone: scenario.timezone,
        window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
        home: scenario.homeUsername,
        queries: scenario.queries,
      }),
      'ogp16.json',
    );
    const { campaignId } = await applyCampaign(t.db, file, start);
    const queries = await activeQueries(t.db, campaignId);

    let started = performance.now();
    for (const query of queries) {
      await pollQuery(ctx, query.id);
      await backfillQuery(ctx, query.id);
    }
    const backfillMs = performance.now() - started;
    const backfill = await runTotals(ctx, campaignId);
    const backfillRequests = simulator.stats().requests.search;
    // a post carrying both hashtags is served once per query: pages are counted in posts served
    const backfillServed = simulator.stats().postsRead;

    started = performance.now();
    const tickMs = 2 * 60_000;
    const ticks = (2 * 24 * 3600_000) / tickMs;
    for (let i = 0; i < ticks; i++) {
      clock.advance(tickMs);
      for (const query of queries) await pollQuery(ctx, query.id);
    }
    const liveMs = performance.now() - started;
    const total = await runTotals(ctx, campaignId);
    const stats = simulator.stats();

    const polls = await t.db
      .selectFrom('collection_runs')
      .select(['requests', 'posts_new'])
      .where('kind', '=', 'poll')
      .where('outcome', '=', 'ok')
      .where('started_at', '>', start)
      .execute();
    const empty = polls.filter((poll) => poll.posts_new === 0);
    const links = await t.db
      .selectFrom('campaign_posts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const truth = campaignPostIds(scenario, clock.now());
    const stored = new Set(
      (
        await t.db
          .selectFrom('campaign_posts as cp')
          .innerJoin('posts as p', 'p.id', 'cp.post_id')
          .select('p.id')
          .distinct()
          .execute()
      ).map((row) => row.id),
    );
    const missing = [...truth].filter((id) => !stored.has(id)).length;
    const extra = [...stored].filter((id) => !truth.has(id)).length;
    const failed = await t.db
      .selectFrom('collection_runs')
      .select('id')
      .where('outcome', '<>', 'ok')
      .execute();
    return {
      scenario: `${scenario.name}: ${scenario.posts.length.toLocaleString('en')} posts, tier pro`,
      'backfill: posts served (distinct) / requests': `${backfillServed} (${backfill.postsNew}) / ${backfillRequests}`,
      'backfill: requests per 1,000 posts served (target ≤ 10.5)': (
        (backfillRequests / backfillServed) *
        1000
      ).toFixed(2),
      'backfill: requests per 1,000 distinct posts': ((backfillRequests / backfill.postsNew) * 1000).toFixed(
        2,
      ),
      'backfill: seconds': (backfillMs / 1000).toFixed(1),
      'live: polls over 2 days / empty ones': `${polls.length} / ${empty.length}`,
      'live: requests of an empty poll (target 1)': [...new Set(empty.map((poll) => poll.requests))].join(
        ', ',
      ),
      'live: requests in all': stats.requests.search - backfillRequests,
      'live: seconds for 2 simulated days': (liveMs / 1000).toFixed(1),
      'posts served − posts linked (pages fetched twice × ~100; target 0)': stats.postsRead - Number(links.n),
      '429s (rate limit / usage cap; target 0)': `${stats.rateLimited} / ${stats.usageCapped}`,
      'runs not ok': failed.length,
      'stored vs ground truth: posts / missing / extra': `${stored.size} / ${missing} / ${extra} (truth ${truth.size})`,
      'requests in all (run log / simulator)': `${total.requests} / ${stats.requests.search}`,
    };
  } finally {
    await simulator.close();
    await t.drop();
  }
}

async function runTotals(ctx: CollectContext, campaignId: number) {
  const row = await ctx.db
    .selectFrom('collection_runs')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<string>('requests'), eb.lit(0)).as('requests'),
      eb.fn.coalesce(eb.fn.sum<string>('posts_new'), eb.lit(0)).as('posts_new'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return { requests: Number(row.requests), postsNew: Number(row.posts_new) };
}
