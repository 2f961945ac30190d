import { sql } from 'kysely';
import { ManualClock } from '../../src/clock.ts';
import { fetchAvatars } from '../../src/collect/fetch-avatars.ts';
import type { Db } from '../../src/db/database.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { type DemoCampaign, loadDemoCampaign } from './export-fixtures.ts';
import { silentLog } from './services.ts';

/*
 * The big screen's test data (tests/e2e/browser-screen.test.ts, tests/bench/screen-soak.ts): the
 * demo campaign, with its profile images fetched from the X simulator as the workers would, then
 * the simulator stopped, so the page can only have them from the dashboard.
 */

export interface ScreenDemo extends DemoCampaign {
  avatars: { stored: number; failed: number };
}

export async function loadScreenDemo(db: Db, options: Parameters<typeof loadDemoCampaign>[1] = {}) {
  const demo = await loadDemoCampaign(db, options);
  const simulator = await startSimulator({
    scenario: demo.scenario,
    clock: new ManualClock(demo.observedAt),
    bearerToken: 'screen-fixture',
  });
  try {
    const origin = new URL(simulator.baseUrl).origin;
    await sql`update accounts set profile_image_url = ${origin} || '/avatars/' || id || '.png'`.execute(db);
    const avatars = await fetchAvatars(
      { db, clock: new ManualClock(demo.observedAt), log: silentLog },
      demo.campaign.id,
      400,
    );
    return { ...demo, avatars } satisfies ScreenDemo;
  } finally {
    await simulator.close();
  }
}

/** A new campaign post by `authorId` at `at`, as the collector stores one (rollups follow by trigger). */
export async function addCampaignPost(
  db: Db,
  target: { campaignId: number; queryId: number },
  authorId: string,
  id: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('posts')
    .values({
      id,
      author_id: authorId,
      created_at: at,
      text: `live from the summit ${id} #OGP16`,
      lang: 'en',
      kind: 'post',
      hashtags: ['ogp16'],
      mentions: [],
      like_count: 0,
      repost_count: 0,
      reply_count: 0,
      quote_count: 0,
      metrics_observed_at: at,
      first_seen_at: at,
    })
    .execute();
  await db
    .insertInto('campaign_posts')
    .values({ campaign_id: target.campaignId, query_id: target.queryId, post_id: id, matched_at: at })
    .execute();
}
