import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { ManualClock } from '../../src/clock.ts';
import { campaignUpdatedChannel } from '../../src/jobs/queue-names.ts';
import { XClient } from '../../src/networks/x/client.ts';
import { metrics } from '../../src/rank/metrics.ts';
import { generateScenario } from '../../src/simulator/scenario.ts';
import { startSimulator } from '../../src/simulator/x/server.ts';
import { startCollection } from '../../workers/runtime.ts';
import {
  createTestDatabase,
  silentLog,
  testRedisUrl,
  trackerFromSources,
  uniqueName,
} from '../support/services.ts';
import type { LoadDashboardSettings } from './load-dashboard.ts';
import { quantile } from './stats.ts';

/**
 * Issue 8's load test: BENCH_LOAD_CLIENTS (200) Server-Sent Events clients on the live stream and
 * BENCH_LOAD_RPS (50) requests a second on the leaderboard API, sent at a fixed rate whatever the
 * answers (open loop), for BENCH_LOAD_SECONDS (60) while real workers ingest the simulated summit
 * (the event clock moves every second, so posts keep arriving). The dashboard runs in a process of
 * its own, as in a deployment (tests/bench/load-dashboard.ts); the workers, the simulator and the
 * clients share this one. Baseline, in the same run: the same API load for a few seconds with no
 * stream open and the workers idle (every board in the cache), after two seconds of warm-up.
 * Reported, never asserted.
 *
 * "No lost event": the dashboard coalesces a campaign's Redis messages (at most one SSE `update`
 * per 250 ms, the last one always goes out; dashboard/server/live-events.ts), so fewer events than messages is by
 * design. Two checks: every client got every relayed event id (the union over all clients), and
 * every message the workers published is followed, at every client, by an event within the
 * throttle plus a second.
 */
const throttleMs = 250;
const coverSlackMs = 1000;

/** The figures a script reads from the load bench's last line (`npm run bench:load`). */
export interface LoadSummary {
  p95_ms: number;
  idle_p95_ms: number;
  lost_events: number;
  errors: number;
}

export async function benchLoad(): Promise<{
  rows: Array<Record<string, string | number>>;
  summary: LoadSummary;
}> {
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
  const clientCount = Number(process.env.BENCH_LOAD_CLIENTS ?? 200);
  const rps = Number(process.env.BENCH_LOAD_RPS ?? 50);
  const posts = Number(process.env.BENCH_LOAD_POSTS ?? 30_000);
  const baselineSeconds = Math.min(5, seconds);
  console.log(
    `load: ${clientCount} SSE clients and ${rps} leaderboard requests/s for ${seconds} s while workers ingest a summit of ${posts.toLocaleString('en')} posts`,
  );

  const scenario = generateScenario({ seed: 2016, accounts: Math.max(100, Math.round(posts / 7)), posts });
  const clock = new ManualClock(scenario.window.start);
  const token = randomBytes(16).toString('hex');
  const t = await createTestDatabase();
  // Redis is shared with other runs that publish on the same channel for their campaign 1: ours
  // takes an id nobody else uses, so its messages can be told apart.
  const campaignIdFloor = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  await sql`select setval(pg_get_serial_sequence('campaigns', 'id'), ${campaignIdFloor}::int)`.execute(t.db);
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
  const { campaignId } = await applyCampaign(t.db, file, clock.now());
  const ingested = async () =>
    Number(
      (
        await t.db
          .selectFrom('campaign_posts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', campaignId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  const simulator = await startSimulator({ scenario, clock, bearerToken: token, port: 0 });
  const prefix = uniqueName('bull');
  // The dashboard in a process of its own, as in a deployment (tests/bench/load-dashboard.ts).
  // The event clock crosses the three days in `seconds` (one step a second, below), where a
  // deployment's clock runs at 1×: the boards' lifetime, measured on both clocks
  // (dashboard/server/leaderboard-cache.ts), is scaled by the same factor, so that it stays the
  // minute of real time it is live. Writes still renew every board at once.
  const speed = Math.max(
    1,
    (scenario.window.end.getTime() - scenario.window.start.getTime()) / (seconds * 1000),
  );
  const dashboard = await startDashboardProcess({
    schema: t.schema,
    prefix,
    now: clock.now().toISOString(),
    ttlMs: 60_000 * speed,
  });
  const published: number[] = [];
  const subscriber = new Redis(testRedisUrl);
  await subscriber.subscribe(campaignUpdatedChannel(prefix));
  subscriber.on('message', (_channel, message) => {
    if ((JSON.parse(message) as { campaignId?: unknown }).campaignId === campaignId) {
      published.push(performance.now());
    }
  });
  const runtime = await startCollection({
    db: t.db,
    x: new XClient({ bearerToken: token, baseUrl: simulator.baseUrl }),
    clock,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix,
    schedules: { replay: { speed: 1e9, minEveryMs: 200 } },
  });
  const streams: SseClient[] = [];
  try {
    // The eve's posts first, the clock standing still: the baseline then meets idle workers.
    await quiet(published, 3000, 90_000);
    const api = `${dashboard.url}/api/v1/campaigns/summit/leaderboard`;
    // Each board read once first: the baseline is the steady state between two writes, every
    // request served from the dashboard's cache; under load, each write empties it.
    for (const metric of metrics)
      await (await fetch(`${api}?metric=${metric}&scope=all&limit=50`)).arrayBuffer();
    // A fresh process compiles its hot paths on first use: two seconds of the same load first.
    await apiLoad(api, rps, 2);
    const publishedBeforeBaseline = published.length;
    dashboard.measureLoop();
    const baseline = await apiLoad(api, rps, baselineSeconds);
    const baselineLoop = await dashboard.loopDelay();
    const publishedInBaseline = published.length - publishedBeforeBaseline;

    const eventsUrl = `${dashboard.url}/api/v1/campaigns/summit/events`;
    for (let i = 0; i < clientCount; i++) streams.push(openSse(eventsUrl));
    await Promise.all(streams.map((stream) => stream.hello));
    const connected = streams.filter((stream) => stream.helloAt !== undefined).length;
    for (const stream of streams) stream.counting = true;

    // The minute: the event clock crosses the summit's three days, one step a second.
    const postsBefore = await ingested();
    const publishedFrom = published.length;
    const loadStarted = performance.now();
    const step = (scenario.window.end.getTime() - scenario.window.start.getTime()) / seconds;
    const ticker = setInterval(() => {
      clock.advance(step);
      dashboard.setNow(clock.now());
    }, 1000);
    let load: ApiLoad;
    let dashboardLoop: LoopDelay;
    try {
      dashboard.measureLoop();
      load = await apiLoad(api, rps, seconds);
      dashboardLoop = await dashboard.loopDelay();
    } finally {
      clearInterval(ticker);
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const postsDuring = (await ingested()) - postsBefore;
    // The workers finish what the last step brought, then a grace period for the last events.
    await quiet(published, 3000, 60_000);
    await sleep(1000);
    const postsAfter = (await ingested()) - postsBefore - postsDuring;
    const windowPublishes = published.slice(publishedFrom);
    for (const stream of streams) stream.close();

    const relayed = new Set<string>();
    for (const stream of streams) for (const id of stream.updates.keys()) relayed.add(id);
    const perClient = streams.map((stream) => stream.updates.size);
    const lost = streams.reduce(
      (sum, stream) => sum + [...relayed].filter((id) => !stream.updates.has(id)).length,
      0,
    );
    const uncovered = streams.reduce((sum, stream) => sum + uncoveredMessages(windowPublishes, stream), 0);
    const earlyEnds = streams.filter((stream) => stream.endedEarly).length;
    const streamErrors = streams.filter((stream) => stream.error).map((stream) => stream.error);
    const ms = (value: number) => `${Math.round(value)} ms`;
    const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(1)}×` : '');
    const summary: LoadSummary = {
      p95_ms: Math.round(quantile(load.latencies, 0.95)),
      idle_p95_ms: Math.round(quantile(baseline.latencies, 0.95)),
      lost_events: lost,
      errors: load.sent - load.ok + streamErrors.length,
    };
    const rows = [
      {
        figure: 'SSE clients connected (hello received)',
        value: `${connected} of ${clientCount}`,
        baseline: '',
      },
      {
        figure: 'SSE clients ended or failed early',
        value: `${earlyEnds}${streamErrors.length ? ` (${[...new Set(streamErrors)].join('; ')})` : ''}`,
        baseline: '',
      },
      {
        figure: 'campaign updates published by the workers',
        value: windowPublishes.length,
        baseline: `${publishedInBaseline} during the baseline`,
      },
      {
        figure: `update events relayed (throttled to 1 per ${throttleMs} ms)`,
        value: relayed.size,
        baseline: '',
      },
      {
        figure: 'update events received per client, min / max',
        value: `${Math.min(...perClient)} / ${Math.max(...perClient)}`,
        baseline: '',
      },
      { figure: 'lost events (relayed id missing at a client)', value: lost, baseline: '0 expected' },
      {
        figure: `messages with no event at a client within ${throttleMs + coverSlackMs} ms`,
        value: uncovered,
        baseline: '0 expected',
      },
      {
        figure: 'posts ingested during the load',
        value: `${postsDuring.toLocaleString('en')} (${Math.round(postsDuring / loadSeconds)}/s)`,
        baseline: `then ${postsAfter.toLocaleString('en')} more to catch up`,
      },

      {
        figure: 'API requests sent / ok',
        value: `${load.sent} / ${load.ok} in ${loadSeconds.toFixed(1)} s`,
        baseline: `${baseline.sent} / ${baseline.ok} in ${baselineSeconds} s`,
      },
      { figure: 'API errors by status', value: describeErrors(load), baseline: describeErrors(baseline) },
      {
        figure: 'API latency median',
        value: `${ms(quantile(load.latencies, 0.5))} (${ratio(quantile(load.latencies, 0.5), quantile(baseline.latencies, 0.5))})`,
        baseline: ms(quantile(baseline.latencies, 0.5)),
      },
      {
        figure: 'API latency p95',
        value: `${ms(quantile(load.latencies, 0.95))} (${ratio(quantile(load.latencies, 0.95), quantile(baseline.latencies, 0.95))})`,
        baseline: ms(quantile(baseline.latencies, 0.95)),
      },
      {
        figure: 'API latency max',
        value: ms(Math.max(...load.latencies)),
        baseline: ms(Math.max(...baseline.latencies)),
      },
      {
        figure: "dashboard process's event loop delay p95 / max",
        value: `${ms(dashboardLoop.p95Ms)} / ${ms(dashboardLoop.maxMs)}`,
        baseline: `${ms(baselineLoop.p95Ms)} / ${ms(baselineLoop.maxMs)}`,
      },
      {
        figure: 'bench process (workers, simulator, clients) event loop delay p95 / max',
        value: `${ms(load.loopDelayP95Ms)} / ${ms(load.loopDelayMaxMs)}`,
        baseline: `${ms(baseline.loopDelayP95Ms)} / ${ms(baseline.loopDelayMaxMs)}`,
      },
      {
        figure: 'request start lag behind schedule, max',
        value: ms(load.maxLagMs),
        baseline: ms(baseline.maxLagMs),
      },
    ];
    return { rows, summary };
  } finally {
    for (const stream of streams) stream.close();
    await dashboard.close();
    for (const queue of Object.values(runtime.queues)) await queue.obliterate({ force: true });
    await runtime.close();
    subscriber.disconnect();
    await simulator.close();
    await t.drop();
  }
}

interface ApiLoad {
  sent: number;
  ok: number;
  /** status code, or the error's name (a timeout, a refused connection) */
  errors: Map<string, number>;
  /** of the answered requests, body read */
  latencies: number[];
  /** how late the process got to send a request: the load generator's own lag */
  maxLagMs: number;
  /** the bench process's event loop (workers, simulator and clients share it) */
  loopDelayP95Ms: number;
  loopDelayMaxMs: number;
}

/** `rps` requests a second for `seconds`, each sent on schedule whatever the previous ones do. */
async function apiLoad(url: string, rps: number, seconds: number): Promise<ApiLoad> {
  const result: ApiLoad = {
    sent: 0,
    ok: 0,
    errors: new Map(),
    latencies: [],
    maxLagMs: 0,
    loopDelayP95Ms: 0,
    loopDelayMaxMs: 0,
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const intervalMs = 1000 / rps;
  const total = Math.round(rps * seconds);
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  const fail = (reason: string) => result.errors.set(reason, (result.errors.get(reason) ?? 0) + 1);
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    result.maxLagMs = Math.max(result.maxLagMs, performance.now() - due);
    const metric = metrics[i % metrics.length];
    const sentAt = performance.now();
    result.sent++;
    inFlight.push(
      fetch(`${url}?metric=${metric}&scope=all&limit=50`, { signal: AbortSignal.timeout(10_000) })
        .then(async (response) => {
          await response.arrayBuffer();
          result.latencies.push(performance.now() - sentAt);
          if (response.ok) result.ok++;
          else fail(String(response.status));
        })
        .catch((error: Error) => {
          fail(error.name === 'TimeoutError' ? 'timeout (10 s)' : error.name);
        }),
    );
  }
  await Promise.all(inFlight);
  loop.disable();
  result.loopDelayP95Ms = loop.percentile(95) / 1e6;
  result.loopDelayMaxMs = loop.max / 1e6;
  return result;
}

interface SseClient {
  hello: Promise<void>;
  helloAt?: number;
  /** set once every client is connected: only then are updates recorded */
  counting: boolean;
  /** update id → when it arrived */
  updates: Map<string, number>;
  endedEarly: boolean;
  error?: string;
  close(): void;
}

/** An EventSource-like client over fetch: parses `event:`, `id:` and `data:` lines. */
function openSse(url: string): SseClient {
  const abort = new AbortController();
  let closing = false;
  let helloSeen: () => void = () => {};
  const client: SseClient = {
    hello: new Promise<void>((resolve) => {
      helloSeen = resolve;
    }),
    counting: false,
    updates: new Map(),
    endedEarly: false,
    close() {
      closing = true;
      abort.abort();
    },
  };
  const dispatch = (event: string, id: string | undefined, data: string) => {
    if (event === 'hello') {
      client.helloAt = performance.now();
      helloSeen();
    } else if (event === 'update' && client.counting && id !== undefined) {
      const payload = JSON.parse(data) as { campaign?: string };
      if (payload.campaign !== 'summit') client.error = `update for ${String(payload.campaign)}`;
      client.updates.set(id, performance.now());
    }
  };
  (async () => {
    const response = await fetch(url, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event = 'message';
    let id: string | undefined;
    let data: string[] = [];
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') {
          if (data.length) dispatch(event, id, data.join('\n'));
          event = 'message';
          id = undefined;
          data = [];
        } else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
    }
    if (!closing) client.endedEarly = true;
  })()
    .catch((error: Error) => {
      if (closing) return;
      client.endedEarly = true;
      client.error = error.message;
    })
    .finally(() => helloSeen());
  return client;
}

/** Messages after which this client got no event within the throttle plus the slack. */
function uncoveredMessages(published: number[], client: SseClient): number {
  const arrivals = [...client.updates.values()].sort((a, b) => a - b);
  let missing = 0;
  let next = 0;
  for (const at of published) {
    // Two Redis subscribers may hear a message in either order: a little tolerance before it.
    while (next < arrivals.length && (arrivals[next] as number) < at - 100) next++;
    const arrival = arrivals[next];
    if (arrival === undefined || arrival - at > throttleMs + coverSlackMs) missing++;
  }
  return missing;
}

/** Resolves once no update was published for `quietMs` (or after `timeoutMs`, said so). */
async function quiet(published: number[], quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const last = published.at(-1);
    if (last !== undefined && performance.now() - last >= quietMs) return;
    await sleep(250);
  }
  console.log(`load: the workers were still writing after ${timeoutMs / 1000} s; measuring anyway`);
}

function describeErrors(load: ApiLoad): string {
  const parts = [...load.errors].map(([reason, n]) => `${reason}: ${n}`);
  return parts.length ? parts.join(', ') : 'none';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LoopDelay {
  p95Ms: number;
  maxMs: number;
}

interface DashboardProcess {
  url: string;
  setNow(now: Date): void;
  /** starts measuring the dashboard's event loop delay */
  measureLoop(): void;
  /** what it measured since `measureLoop` */
  loopDelay(): Promise<LoopDelay>;
  close(): Promise<void>;
}

async function startDashboardProcess(settings: LoadDashboardSettings): Promise<DashboardProcess> {
  const child = fork(
    trackerFromSources[0] ?? '',
    [fileURLToPath(new URL('./load-dashboard.ts', import.meta.url))],
    {
      env: { ...process.env, LOAD_DASHBOARD: JSON.stringify(settings) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const reply = <T>(key: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: Record<string, unknown>) => {
        if (!(key in message)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the dashboard process ended (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { url } = await reply<{ url: string }>('url');
  return {
    url,
    setNow: (now) => child.send({ now: now.toISOString() }),
    measureLoop: () => child.send({ loop: 'reset' }),
    async loopDelay() {
      const answer = reply<{ loopP95Ms: number; loopMaxMs: number }>('loopP95Ms');
      child.send({ loop: 'read' });
      const { loopP95Ms, loopMaxMs } = await answer;
      return { p95Ms: loopP95Ms, maxMs: loopMaxMs };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ close: true });
      await exited;
    },
  };
}
