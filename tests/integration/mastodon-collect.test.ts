import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { readMastodonTags } from '../../src/collect/read-mastodon-tags.ts';
import { MastodonClient } from '../../src/networks/mastodon/client.ts';
import { parseMastodonTokens } from '../../src/networks/mastodon/instances.ts';
import type { NetworkPost } from '../../src/networks/types.ts';
import {
  type MastodonTruth,
  mastodonTruth,
  type RunningMastodonSimulator,
  startMastodonSimulator,
} from '../../src/simulator/mastodon/index.ts';
import { generateScenario, SCENARIO_PRESETS } from '../../src/simulator/scenario.ts';

/**
 * The collection function through the real client over HTTP against the stand-in, compared exactly with
 * the stand-in's ground truth: every campaign status once, home counts, mentions by uri, home followers.
 */
const TAGS = ['OGP16', 'OGPSummit'];
const scenario = generateScenario(SCENARIO_PRESETS['ogp16-small']);
const clock = new ManualClock(new Date(scenario.window.end.getTime() + 86_400_000));
const window = { from: scenario.window.start, to: scenario.window.end };

let sim: RunningMastodonSimulator;
beforeAll(async () => {
  sim = await startMastodonSimulator({ scenario, clock });
});
afterAll(async () => {
  await sim?.close();
});

const baseOf = (domain: string) => {
  const base = sim.directory[domain];
  if (!base) throw new Error(`no instance ${domain}`);
  return base;
};
/** The home and watchlist accounts: the scenario's five fixed accounts, as the campaign file names them. */
const namedHandles = () =>
  sim.world.accounts
    .filter((account) => scenario.users.slice(0, 5).includes(account.user))
    .map((account) => account.handle);
const closedDomain = () => sim.world.instances.find((spec) => spec.closedTagTimelines)?.domain ?? '';

/** Per-account figures computed from what the collection returned, as the leaderboard would. */
function aggregate(posts: NetworkPost[]) {
  const rows = new Map<string, { posts: number; engagement: number; mentions: number }>();
  const row = (uri: string) => {
    let entry = rows.get(uri);
    if (!entry) {
      entry = { posts: 0, engagement: 0, mentions: 0 };
      rows.set(uri, entry);
    }
    return entry;
  };
  for (const post of posts) {
    if (post.kind === 'repost') continue;
    const author = row(post.authorId);
    author.posts++;
    author.engagement += post.counts.like + post.counts.repost + post.counts.reply + post.counts.quote;
    for (const uri of new Set(post.mentions)) if (uri !== post.authorId) row(uri).mentions++;
  }
  return rows;
}

function expectExact(result: Awaited<ReturnType<typeof readMastodonTags>>, truth: MastodonTruth) {
  expect(new Set(result.posts.map((post) => post.id))).toEqual(new Set(truth.posts.keys()));
  expect(result.posts.length).toBe(truth.posts.size);
  for (const post of result.posts) {
    const expected = truth.posts.get(post.id);
    expect({
      uri: post.id,
      author: post.authorId,
      kind: post.kind,
      like: post.counts.like,
      repost: post.counts.repost,
      reply: post.counts.reply,
      quote: post.counts.quote,
      mentions: [...post.mentions].sort(),
    }).toEqual({
      uri: expected?.uri,
      author: expected?.authorUri,
      kind: expected?.kind,
      ...expected?.counts,
      mentions: [...(expected?.mentions ?? [])].sort(),
    });
  }
  const figures = aggregate(result.posts);
  for (const account of truth.accounts.values()) {
    const got = figures.get(account.uri) ?? { posts: 0, engagement: 0, mentions: 0 };
    expect({ handle: account.handle, ...got }).toEqual({
      handle: account.handle,
      posts: account.posts,
      engagement: account.engagement,
      mentions: account.mentions,
    });
  }
  const followers = new Map(result.accounts.map((account) => [account.id, account.counts?.followers]));
  for (const account of truth.accounts.values()) {
    if (account.posts > 0)
      expect([account.handle, followers.get(account.uri)]).toEqual([account.handle, account.followers]);
  }
  const authors = new Set(result.posts.map((post) => post.authorId));
  expect(result.accounts.map((account) => account.id).sort()).toEqual([...authors].sort());
}

describe('readMastodonTags', () => {
  test('every instance, the closed one with its token: exact against the ground truth', async () => {
    const closed = closedDomain();
    const client = new MastodonClient({
      directory: sim.directory,
      tokens: parseMastodonTokens(`${baseOf(closed)}=${sim.tokens[closed]}`),
    });
    const named = namedHandles();
    const result = await readMastodonTags(client, {
      tags: TAGS,
      instances: sim.instances.map((instance) => instance.baseUrl),
      accounts: named,
      since: window.from,
      until: window.to,
    });
    const truth = mastodonTruth(sim.world, {
      readable: sim.world.instances.map((spec) => spec.domain),
      tags: TAGS,
      ...window,
      observedAt: clock.now(),
    });
    const boosts = result.posts.filter((post) => post.kind === 'repost');
    const boosters = new Set(boosts.map((post) => post.authorId));
    const statuses = result.posts.filter((post) => post.kind !== 'repost');
    const statusAuthors = new Set(statuses.map((post) => post.authorId));
    expectExact(
      {
        ...result,
        posts: statuses,
        accounts: result.accounts.filter((account) => statusAuthors.has(account.id)),
      },
      truth,
    );
    // Reposts: the named accounts' boosts of campaign statuses, read from their home timelines.
    const reposts = new Map<string, number>();
    for (const boost of boosts) reposts.set(boost.authorId, (reposts.get(boost.authorId) ?? 0) + 1);
    const handles = new Map(result.accounts.map((account) => [account.id, account.handle]));
    for (const uri of boosters) expect(named).toContain(handles.get(uri));
    let namedReposts = 0;
    for (const account of truth.accounts.values()) {
      if (!named.includes(account.handle)) continue;
      namedReposts += account.reposts;
      expect([account.handle, reposts.get(account.uri) ?? 0]).toEqual([account.handle, account.reposts]);
    }
    expect(namedReposts).toBeGreaterThan(0);
    expect(boosts.every((boost) => boost.referencedPostId && boost.mentions.length === 0)).toBe(true);
    expect(result.instances.every((report) => report.refused === null && report.failed === null)).toBe(true);
    // Statuses were seen through several instances: deduplication did the work.
    const served = result.instances.reduce((sum, report) => sum + report.statuses, 0);
    expect(served).toBeGreaterThan(statuses.length * 1.3);
    expect(result.homeCounts).toEqual({ fresh: statuses.length, kept: 0 });
    // The home account is among the ranked, with the handle the campaign file names.
    const home = result.accounts.find((account) => account.handle === 'opendataforum@mastodon.social');
    expect(home?.counts?.followers).toBe(scenario.users[0]?.followersAt(clock.now()));
    expect(aggregate(result.posts).get(home?.id ?? '')?.posts).toBeGreaterThan(0);
  });

  test('a refusing instance is reported in one line; the others are complete and exact', async () => {
    const closed = closedDomain();
    const events: string[] = [];
    const client = new MastodonClient({ directory: sim.directory });
    const result = await readMastodonTags(client, {
      tags: TAGS,
      instances: sim.instances.map((instance) => instance.baseUrl),
      since: window.from,
      until: window.to,
      onEvent: (event) => {
        if (event.kind === 'refused') events.push(event.message);
      },
    });
    const refused = result.instances.find((report) => report.refused);
    expect(refused?.instance).toBe(
      new URL(baseOf(closed)).host + new URL(baseOf(closed)).pathname.slice(0, -1),
    );
    expect(events).toEqual([refused?.refused]);
    expect(refused?.refused).toMatch(
      /keeps its tag timelines from anonymous readers; add .+=<token> to MASTODON_TOKENS/,
    );
    expect(refused?.refused).not.toContain(sim.tokens[closed]);
    const truth = mastodonTruth(sim.world, {
      readable: sim.world.instances.filter((spec) => spec.domain !== closed).map((spec) => spec.domain),
      tags: TAGS,
      ...window,
      observedAt: clock.now(),
    });
    expectExact(result, truth);
    // The closed instance's own statuses that reached nowhere else are what was lost.
    const everything = mastodonTruth(sim.world, {
      readable: [closed],
      tags: TAGS,
      ...window,
      observedAt: clock.now(),
    });
    expect(everything.posts.size).toBeGreaterThan(0);
  });

  test('one instance refusing, one limiting hard, one dropping connections: the rest exact, waits and refusal told', async () => {
    const harsh = await startMastodonSimulator({
      scenario,
      clock,
      rateLimits: { 'mastodon.green': 4 },
      rateLimitWindowMs: 1200,
      dropEvery: { 'fosstodon.org': 4 },
    });
    try {
      const events: string[] = [];
      const result = await readMastodonTags(
        new MastodonClient({ directory: harsh.directory, timeoutMs: 5000 }),
        {
          tags: TAGS,
          instances: harsh.instances.map((instance) => instance.baseUrl),
          since: window.from,
          until: window.to,
          // Backoff after a dropped connection shortened for the test; rate-limit waits stay real.
          sleep: (ms) =>
            new Promise((resolve) => setTimeout(resolve, ms >= 500 && ms % 500 === 0 ? ms / 25 : ms)),
          onEvent: (event) => events.push(`${event.kind} ${event.instance}`),
        },
      );
      const closed = harsh.world.instances.find((spec) => spec.closedTagTimelines)?.domain ?? '';
      const truth = mastodonTruth(harsh.world, {
        readable: harsh.world.instances.filter((spec) => spec.domain !== closed).map((spec) => spec.domain),
        tags: TAGS,
        ...window,
        observedAt: clock.now(),
      });
      expectExact(result, truth);
      const byName = new Map(result.instances.map((report) => [report.instance.split('/i/')[1], report]));
      expect(byName.get(closed)?.refused).toMatch(/MASTODON_TOKENS/);
      expect(byName.get('mastodon.green')?.waits).toBeGreaterThan(0);
      expect(events.some((event) => event.startsWith('wait ') && event.endsWith('mastodon.green'))).toBe(
        true,
      );
      expect(events.filter((event) => event.startsWith('refused '))).toHaveLength(1);
      expect(result.instances.every((report) => report.failed === null)).toBe(true);
      // The dropping instance really dropped, and each drop was tried again.
      expect(byName.get('fosstodon.org')?.retries).toBeGreaterThan(0);
      expect(byName.get('mastodon.social')?.retries).toBe(0);
    } finally {
      await harsh.close();
    }
  });
});
