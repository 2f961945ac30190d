import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { storePage } from '../../src/collect/store-page.ts';
import type { Db } from '../../src/db/database.ts';
import type { Campaign } from '../../src/db/schema.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import type { Scenario, ScenarioOptions } from '../../src/simulator/types.ts';
import { storeScenarioMatches, xUserOf } from './scenario-records.ts';
import { silentLog } from './services.ts';

/**
 * The demo campaign (the simulator's OGP 2016 scenario, at the size asked for) stored through the
 * collector's write path as one collection after the event, with hourly follower readings of the
 * home account and the watchlist, a run log (one hour of it rate-limited), and posts whose text,
 * and an account whose name, a spreadsheet would take for formulas.
 */

const hour = 3600_000;

/** Texts that start a formula in a spreadsheet, or break a naive CSV; each becomes a post. */
export const hostileTexts = [
  '=HYPERLINK("http://example.com","click") #OGP16',
  '+1+2 #OGP16',
  '-2+3 #OGP16',
  '@SUM(1,2) #OGP16',
  '\t=1+1 #OGP16',
  '\r=1+1 #OGP16',
  'two lines\nof "quoted" text, with commas #OGP16',
];
export const hostileName = "=cmd|' /C calc'!A0";

export interface DemoCampaign {
  campaign: Campaign;
  scenario: Scenario;
  observedAt: Date;
  hostile: { username: string; postIds: string[] };
}

export async function loadDemoCampaign(db: Db, options: ScenarioOptions = {}): Promise<DemoCampaign> {
  const scenario = generateScenario(options);
  const observedAt = new Date(scenario.window.end.getTime() + 6 * hour);
  const file = parseCampaignFile(
    JSON.stringify({
      slug: 'ogp16',
      name: 'Local Government Open Data Forum — OGP Global Summit 2016',
      timezone: scenario.timezone,
      window: { start: scenario.window.start.toISOString(), end: scenario.window.end.toISOString() },
      home: scenario.homeUsername,
      queries: scenario.queries,
      watchlist: scenario.watchlist,
    }),
    'ogp16.json',
  );
  const { campaignId } = await applyCampaign(db, file, observedAt);
  const queries = await db
    .selectFrom('campaign_queries')
    .select(['id', 'query'])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();
  const ctx = {
    db,
    x: new XClient({ bearerToken: 'unused-by-exports', baseUrl: 'http://127.0.0.1:9/2/' }),
    clock: new ManualClock(observedAt),
    log: silentLog,
  };
  await storeScenarioMatches(ctx, scenario, { campaignId, queries }, observedAt, 500);
  const hostile = await storeHostilePosts(ctx, scenario, campaignId, queries[0]?.id ?? 0, observedAt);

  // Hourly readings of the home account and the watchlist, from the eve to the day after.
  const watched = [scenario.homeUsername, ...scenario.watchlist].map((name) =>
    scenario.users.find((user) => user.username === name),
  );
  const known = new Set((await db.selectFrom('accounts').select('id').execute()).map((row) => row.id));
  for (const user of watched) {
    if (!user) continue;
    if (!known.has(user.id)) {
      const x = xUserOf(user, observedAt);
      await db
        .insertInto('accounts')
        .values({
          id: x.id,
          username: x.username,
          name: x.name,
          description: x.description,
          profile_image_url: x.profileImageUrl,
          verified: x.verified,
          created_at: x.createdAt,
          first_seen_at: observedAt,
          last_seen_at: observedAt,
        })
        .execute();
    }
    const readings = [];
    for (let at = scenario.window.start.getTime() - 24 * hour; at <= observedAt.getTime(); at += hour) {
      // A few minutes past the hour, as the `0 * * * *` schedule reads them.
      const instant = new Date(at + 3 * 60_000);
      readings.push({
        account_id: user.id,
        observed_at: instant,
        followers_count: user.followersAt(instant),
        following_count: user.followingCount,
        post_count: 0,
        listed_count: 0,
      });
    }
    await db.insertInto('account_snapshots').values(readings).execute();
  }

  // The run log: polling from the eve on, one hour of the summit stopped by the rate limit.
  const pollStart = new Date(scenario.window.start.getTime() - 24 * hour);
  const runs = queries.flatMap((query) => [
    { at: pollStart, outcome: 'ok' as const, target: query.query },
    {
      at: new Date(scenario.window.start.getTime() + 30 * hour),
      outcome: 'rate_limited' as const,
      target: query.query,
    },
    { at: new Date(observedAt.getTime() - hour), outcome: 'ok' as const, target: query.query },
  ]);
  await db
    .insertInto('collection_runs')
    .values(
      runs.map((run) => ({
        campaign_id: campaignId,
        kind: 'poll',
        target: run.target,
        started_at: run.at,
        finished_at: new Date(run.at.getTime() + 5000),
        requests: 3,
        outcome: run.outcome,
        error: null,
      })),
    )
    .execute();
  const campaign = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return { campaign, scenario, observedAt, hostile };
}

/** An account named like a formula posting texts like formulas, during the summit's second day. */
async function storeHostilePosts(
  ctx: Parameters<typeof storePage>[0],
  scenario: Scenario,
  campaignId: number,
  queryId: number,
  observedAt: Date,
) {
  const username = 'Formula_Fan';
  const authorId = '9007199254740993017';
  const base = BigInt(scenario.posts.at(-1)?.id ?? '800000000000000000');
  const postIds = hostileTexts.map((_text, index) => String(base + 1000n + BigInt(index)));
  await storePage(ctx, {
    source: 'recent',
    page: {
      posts: hostileTexts.map((text, index) => ({
        id: postIds[index] as string,
        authorId,
        createdAt: new Date(scenario.window.start.getTime() + (30 + index) * hour),
        text,
        lang: 'en',
        kind: 'post',
        referencedPostId: null,
        conversationId: null,
        hashtags: ['OGP16'],
        mentions: [],
        metrics: { like: index, repost: 0, reply: 0, quote: 0, bookmark: null, impression: null },
      })),
      users: [
        {
          id: authorId,
          username,
          name: hostileName,
          description: null,
          profileImageUrl: null,
          verified: false,
          createdAt: new Date('2012-01-01T00:00:00Z'),
          metrics: { followers: 10, following: 10, posts: 10, listed: 0 },
        },
      ],
      problems: [],
      newestId: null,
      oldestId: null,
      nextToken: null,
      skipped: 0,
      rateLimit: null,
    },
    observedAt,
    match: { campaignId, queryId },
  });
  return { username, postIds };
}
