import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { createDashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import { addCampaignPost, loadScreenDemo } from '../support/screen-fixture.ts';
import { createTestDatabase, silentLog, testRedisUrl, uniqueName } from '../support/services.ts';

/**
 * `npm run bench:screen`: the big screen left running. Two hours of simulated campaign events at
 * ten times real speed (12 minutes): every simulated 10 s, one to three new posts by the event's
 * busiest accounts (the home account among them) and a "campaign updated" event, as the workers
 * publish them; the panels rotate every 3 s (the shortest `?every=`) so the page also redraws more
 * than a day's share of rotations. The tab's JavaScript heap is read after a forced garbage
 * collection at 10 simulated minutes and at the end: the end must be within 20 % of the first.
 * Prints one JSON line; exits 1 when the heap grew more. SOAK_MINUTES and SOAK_SPEED shorten a trial.
 */

const simulatedMinutes = Number(process.env.SOAK_MINUTES ?? 120);
const speed = Number(process.env.SOAK_SPEED ?? 10);
const eventEverySimulatedMs = 10_000;
const baselineSimulatedMinutes = 10;
const allowedGrowth = 0.2;

const t = await createTestDatabase();
const demo = await loadScreenDemo(t.db);
const prefix = uniqueName('bull');
const app = createDashboard({
  db: t.db,
  clock: new ManualClock(demo.observedAt),
  demo: true,
  log: silentLog,
  redisUrl: testRedisUrl,
  prefix,
});
const server = await serveDashboard(app, { port: 0, hostname: '127.0.0.1' });
const publisher = new Redis(testRedisUrl);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`http://127.0.0.1:${server.port}/campaigns/ogp16/screen?every=3`);
  await page.waitForSelector('#live-status[data-state="live"]', { timeout: 30_000 });

  const reading = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return {
      heapMB: Math.round((heap.usedSize / 2 ** 20) * 100) / 100,
      nodes: metric('Nodes'),
      listeners: metric('JSEventListeners'),
    };
  };

  const { rows: busiest } = await sql<{ id: string }>`
    select p.author_id as id from campaign_posts cp join posts p on p.id = cp.post_id
    where cp.campaign_id = ${demo.campaign.id} group by p.author_id order by count(*) desc limit 30`.execute(
    t.db,
  );
  const queryId = (await t.db.selectFrom('campaign_queries').select('id').executeTakeFirstOrThrow()).id;
  const target = { campaignId: demo.campaign.id, queryId };
  const lastHour = demo.scenario.window.end.getTime() - 3_600_000;
  let nextId = 9_000_000_000_000_000_000n;
  let posts = 0;
  let events = 0;
  let baseline: Awaited<ReturnType<typeof reading>> | undefined;
  const samples: Array<{ simulatedMinutes: number } & Awaited<ReturnType<typeof reading>>> = [];

  const started = Date.now();
  const steps = (simulatedMinutes * 60_000) / eventEverySimulatedMs;
  for (let step = 1; step <= steps; step++) {
    const count = 1 + (step % 3);
    for (let i = 0; i < count; i++) {
      const author = busiest[(step * 7 + i * 13) % busiest.length]?.id ?? '';
      const at = new Date(lastHour + ((step * 997 + i) % 3_600_000));
      await addCampaignPost(t.db, target, author, String(nextId++), at);
      posts += 1;
    }
    await publisher.publish(campaignUpdatedChannel(prefix), JSON.stringify({ campaignId: demo.campaign.id }));
    events += 1;
    const simulatedMs = step * eventEverySimulatedMs;
    if (simulatedMs % (10 * 60_000) === 0) {
      const sample = { simulatedMinutes: simulatedMs / 60_000, ...(await reading()) };
      samples.push(sample);
      if (sample.simulatedMinutes === baselineSimulatedMinutes) baseline = sample;
    }
    const due = started + simulatedMs / speed;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }

  const end = samples.at(-1);
  if (!baseline || !end) throw new Error(`run at least ${baselineSimulatedMinutes} simulated minutes`);
  const growth = end.heapMB / baseline.heapMB - 1;
  console.log(
    JSON.stringify({
      bench: 'screen-soak',
      simulatedMinutes,
      speed,
      realSeconds: Math.round((Date.now() - started) / 1000),
      events,
      posts,
      heapMBAt10min: baseline.heapMB,
      heapMBAtEnd: end.heapMB,
      heapGrowthPct: Math.round(growth * 1000) / 10,
      nodes: { at10min: baseline.nodes, atEnd: end.nodes },
      listeners: { at10min: baseline.listeners, atEnd: end.listeners },
      samples: samples.map((s) => [s.simulatedMinutes, s.heapMB]),
      withinBudget: growth <= allowedGrowth,
    }),
  );
  process.exitCode = growth <= allowedGrowth ? 0 : 1;
} finally {
  await browser.close();
  await server.close();
  publisher.disconnect();
  await t.drop();
}
process.exit();
