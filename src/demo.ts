import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type CampaignFile, readCampaignFile } from './campaigns/campaign-file.ts';
import { ReplayClock } from './clock.ts';
import type { Logger } from './log.ts';
import type { BlueskyClientOptions } from './networks/bluesky/client.ts';
import type { MastodonClientOptions } from './networks/mastodon/client.ts';
import { parseInstance } from './networks/mastodon/instances.ts';
import { BLUESKY_PRESETS, generateBlueskyScenario } from './simulator/bluesky/scenario.ts';
import { startBlueskySimulator } from './simulator/bluesky/server.ts';
import { DEFAULT_MASTODON_INSTANCES } from './simulator/mastodon/instances.ts';
import { startMastodonSimulator } from './simulator/mastodon/server.ts';
import { generateScenario } from './simulator/scenario.ts';
import { startSimulator } from './simulator/x/server.ts';

const campaignPath = (slug: string) => fileURLToPath(new URL(`../campaigns/${slug}.yaml`, import.meta.url));

/** The replay starts this long before the summit opens, so the first minutes already show activity. */
const leadInMs = 6 * 3600_000;

/** Over any stand-in's own budgets: the replay compresses time (see startDemo). */
const generousLimit = 100_000;

export interface Demo {
  clock: ReplayClock;
  baseUrl: string;
  bearerToken: string;
  /** How to reach the Bluesky stand-in: its origin stands for bsky.social and the public AppView alike. */
  bluesky: BlueskyClientOptions;
  /** How to reach the Mastodon stand-in's instances, and the tokens of those closed to anonymous readers. */
  mastodon: MastodonClientOptions;
  /** `ogp16` (X, 2016) then `forum26` (X, Bluesky and Mastodon), ready to apply. */
  campaigns: CampaignFile[];
  close(): Promise<void>;
}

/**
 * Demo mode: the built-in stand-ins replay the forum `speed` times faster than real time — the X API
 * simulator the faithful 2016 summit (`ogp16`), the Bluesky and Mastodon stand-ins the fictional 2026
 * edition (`forum26`). The application shares the stand-ins' clock, so posts, snapshots and charts sit
 * on one timeline. The replay compresses time, so every stand-in grants rate limits far above the
 * networks' (a 15-minute window lasts a couple of real seconds of event time otherwise).
 *
 * Decided: the application runs on one clock, so `forum26` is replayed on the 2016 summit's days — its
 * Bluesky scenario generated with its window there, its Mastodon side drawn from the 2016 scenario, and
 * the window of campaigns/forum26.yaml (2026) replaced by the replayed one. Its X side reads the same
 * 2016 replay as `ogp16`. The campaign's Mastodon instances, named by host in the file, become the
 * stand-in's base URLs.
 */
export async function startDemo(options: { speed: number; log: Logger }): Promise<Demo> {
  const scenario = generateScenario();
  const clock = new ReplayClock(new Date(scenario.window.start.getTime() - leadInMs), options.speed);
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const bearerToken = `demo-${randomBytes(24).toString('hex')}`;
    const x = await startSimulator({
      scenario,
      clock,
      bearerToken,
      port: 0,
      rateLimits: {
        search: generousLimit,
        users: generousLimit,
        timelines: generousLimit,
        tweets: generousLimit,
      },
    });
    opened.push(x);

    const blueskyScenario = generateBlueskyScenario({
      ...BLUESKY_PRESETS.forum26,
      windowStart: scenario.window.start,
    });
    const appPassword = (randomBytes(8).toString('hex').match(/.{4}/g) ?? []).join('-');
    const bluesky = await startBlueskySimulator({
      scenario: blueskyScenario,
      clock,
      appPassword,
      port: 0,
      rateLimits: { session: generousLimit, service: generousLimit, appview: generousLimit },
    });
    opened.push(bluesky);

    const mastodon = await startMastodonSimulator({
      scenario,
      clock,
      port: 0,
      rateLimits: Object.fromEntries(DEFAULT_MASTODON_INSTANCES.map((spec) => [spec.domain, generousLimit])),
    });
    opened.push(mastodon);

    const forum26 = await readCampaignFile(campaignPath('forum26'));
    const campaigns = [
      await readCampaignFile(campaignPath('ogp16')),
      onReplay(forum26, blueskyScenario.window, mastodon.directory),
    ];
    options.log.info(
      {
        x: x.baseUrl,
        bluesky: bluesky.baseUrl,
        mastodon: mastodon.instances.map((instance) => instance.baseUrl),
        speed: options.speed,
      },
      'demo mode: no X_BEARER_TOKEN, replaying the forum on the built-in X, Bluesky and Mastodon stand-ins',
    );
    return {
      clock,
      baseUrl: x.baseUrl,
      bearerToken,
      bluesky: {
        identifier: bluesky.identifier,
        appPassword,
        service: bluesky.baseUrl,
        publicApi: bluesky.baseUrl,
      },
      mastodon: {
        directory: mastodon.directory,
        tokens: new Map(
          Object.entries(mastodon.tokens).map(([domain, token]) => [
            parseInstance(mastodon.directory[domain] ?? domain).baseUrl,
            token,
          ]),
        ),
      },
      campaigns,
      close: () => closeAll(opened),
    };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

/** The campaign on the replayed days, its instances on the stand-in (an instance it lacks is an error). */
function onReplay(
  file: CampaignFile,
  window: { start: Date; end: Date },
  directory: Readonly<Record<string, string>>,
): CampaignFile {
  const mastodon = file.queries.mastodon;
  return {
    ...file,
    window: { start: window.start, end: window.end },
    queries: {
      ...file.queries,
      mastodon: mastodon && {
        ...mastodon,
        instances: mastodon.instances.map((instance) => {
          const baseUrl = directory[instance.name];
          if (!baseUrl) throw new Error(`the Mastodon stand-in has no instance ${instance.name}`);
          return parseInstance(baseUrl);
        }),
      },
    },
  };
}

async function closeAll(opened: ReadonlyArray<{ close(): Promise<void> }>): Promise<void> {
  for (const server of [...opened].reverse()) await server.close();
}
