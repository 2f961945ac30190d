import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { readMastodonTags } from '../../src/collect/read-mastodon-tags.ts';
import { MastodonClient } from '../../src/networks/mastodon/client.ts';
import {
  MastodonNotFoundError,
  MastodonRateLimitError,
  MastodonRequestError,
  MastodonTimelineClosedError,
} from '../../src/networks/mastodon/errors.ts';
import { parseMastodonTokens } from '../../src/networks/mastodon/instances.ts';
import type { MastodonPage } from '../../src/networks/mastodon/types.ts';
import {
  mastodonTruth,
  type RunningMastodonSimulator,
  startMastodonSimulator,
} from '../../src/simulator/mastodon/index.ts';
import { generateScenario, SCENARIO_PRESETS } from '../../src/simulator/scenario.ts';

/** The real client over HTTP against the stand-in. */
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
const baseOf = (domain: string) => sim.directory[domain] ?? '';
const tagged = (tags: string[]) => tags.some((tag) => tag === 'ogp16' || tag === 'ogpsummit');

describe('MastodonClient', () => {
  test('Link paging walks a tag timeline to its end, newest first, 40 a page', async () => {
    const client = new MastodonClient({ directory: sim.directory });
    const instance = baseOf('mastodon.social');
    const pages: MastodonPage[] = [await client.tagTimeline(instance, { tags: TAGS })];
    for (let page = pages[0]; page?.next; ) {
      page = await client.tagTimelineAt(instance, page.next);
      pages.push(page);
    }
    const uris = pages.flatMap((page) => page.posts.map((post) => post.id));
    const expected = sim.world.statuses
      .filter(
        (status) => status.kind !== 'boost' && tagged(status.tags) && status.reached.has('mastodon.social'),
      )
      .filter((status) => status.post.createdAt <= clock.now())
      .map((status) => status.uri);
    expect(new Set(uris)).toEqual(new Set(expected));
    expect(uris.length).toBe(expected.length);
    expect(pages.length).toBe(Math.floor(expected.length / 40) + 1);
    expect(pages.slice(0, -1).every((page) => page.posts.length === 40)).toBe(true);
    const times = uris.map(
      (uri) => sim.world.statuses.find((status) => status.uri === uri)?.post.createdAt.getTime() ?? 0,
    );
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const limit = client.rateLimit(instance);
    expect(limit?.limit).toBe(300);
    expect(limit?.remaining).toBeLessThan(300 - pages.length);
    // since_id from the newest seen: nothing new.
    const again = await client.tagTimeline(instance, { tags: TAGS, sinceId: pages[0]?.newestId ?? '' });
    expect(again.posts).toEqual([]);
  });

  test('two instances: each status once by uri, counts from its home though the home was not read', async () => {
    const client = new MastodonClient({ directory: sim.directory });
    const read = ['fosstodon.org', 'toot.civora.example'];
    const result = await readMastodonTags(client, {
      tags: TAGS,
      instances: read.map(baseOf),
      since: window.from,
      until: window.to,
    });
    const truth = mastodonTruth(sim.world, {
      readable: read,
      tags: TAGS,
      ...window,
      observedAt: clock.now(),
    });
    expect(result.posts.map((post) => post.id).sort()).toEqual([...truth.posts.keys()].sort());
    const served = result.instances.reduce((sum, report) => sum + report.statuses, 0);
    expect(served).toBeGreaterThan(result.posts.length);
    let homeElsewhere = 0;
    let copiesBehind = 0;
    for (const post of result.posts) {
      const expected = truth.posts.get(post.id);
      expect([post.id, post.counts.like, post.counts.repost, post.counts.reply, post.counts.quote]).toEqual([
        post.id,
        expected?.counts.like,
        expected?.counts.repost,
        expected?.counts.reply,
        expected?.counts.quote,
      ]);
      const status = sim.world.statuses.find((candidate) => candidate.uri === post.id);
      if (status && !read.includes(status.author.home.domain)) homeElsewhere++;
    }
    // The copies these instances hold lag their homes: reading them alone would not give the truth.
    const copies = new Map<string, number>();
    for (const instance of read) {
      for (
        let page: MastodonPage | null = await client.tagTimeline(baseOf(instance), { tags: TAGS });
        page;
      ) {
        for (const post of page.posts)
          copies.set(post.id, Math.max(copies.get(post.id) ?? 0, post.counts.like));
        page = page.next ? await client.tagTimelineAt(baseOf(instance), page.next) : null;
      }
    }
    for (const [uri, likes] of copies)
      if (truth.posts.has(uri) && likes < (truth.posts.get(uri)?.counts.like ?? 0)) copiesBehind++;
    expect(homeElsewhere).toBeGreaterThan(10);
    expect(copiesBehind).toBeGreaterThan(5);
    // Followers too come from home: not the lagging copy.
    const home = result.accounts.find((account) => account.handle === 'opendataforum@mastodon.social');
    if (home) expect(home.counts?.followers).toBe(scenario.users[0]?.followersAt(clock.now()));
  });

  test('a 429 is a named error with the reset; the collection waits until then and ends exact', async () => {
    const tight = await startMastodonSimulator({
      scenario,
      clock,
      rateLimits: { 'mastodon.green': 3 },
      rateLimitWindowMs: 1500,
    });
    try {
      const client = new MastodonClient({ directory: tight.directory });
      const green = tight.directory['mastodon.green'] ?? '';
      const errors: unknown[] = [];
      for (let i = 0; i < 4; i++) await client.localDomain(green).catch(() => undefined);
      await client.tagTimeline(green, { tags: TAGS }).catch((error: unknown) => errors.push(error));
      expect(errors[0]).toBeInstanceOf(MastodonRateLimitError);
      const limited = errors[0] as MastodonRateLimitError;
      expect(limited.instance).toBe(new URL(green).host + new URL(green).pathname.slice(0, -1));
      expect(limited.resetAt.getTime()).toBeGreaterThan(Date.now());
      expect(limited.resetAt.getTime()).toBeLessThanOrEqual(Date.now() + 1500);

      const waits: Date[] = [];
      const started = Date.now();
      const result = await readMastodonTags(new MastodonClient({ directory: tight.directory }), {
        tags: TAGS,
        instances: [green],
        since: window.from,
        until: window.to,
        onEvent: (event) => {
          if (event.kind === 'wait') waits.push(event.until);
        },
      });
      expect(waits.length).toBeGreaterThan(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      const truth = mastodonTruth(tight.world, {
        readable: ['mastodon.green'],
        tags: TAGS,
        ...window,
        observedAt: clock.now(),
      });
      expect(result.posts.map((post) => post.id).sort()).toEqual([...truth.posts.keys()].sort());
      for (const post of result.posts) expect(post.counts.like).toBe(truth.posts.get(post.id)?.counts.like);
      expect(result.instances.find((report) => report.instance.endsWith('mastodon.green'))?.waits).toBe(
        waits.length,
      );
    } finally {
      await tight.close();
    }
  });

  test('a closed tag timeline is a named refusal; its token opens it', async () => {
    const closed = sim.world.instances.find((spec) => spec.closedTagTimelines)?.domain ?? '';
    const anonymous = new MastodonClient({ directory: sim.directory });
    const error = await anonymous
      .tagTimeline(baseOf(closed), { tags: TAGS })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MastodonTimelineClosedError);
    expect((error as Error).message).toContain('MASTODON_TOKENS');
    const token = sim.tokens[closed] ?? '';
    const withToken = new MastodonClient({
      directory: sim.directory,
      tokens: parseMastodonTokens(`${baseOf(closed)}=${token}`),
    });
    const page = await withToken.tagTimeline(baseOf(closed), { tags: TAGS });
    expect(page.posts.length).toBeGreaterThan(0);
    // A wrong token is the token's fault, said as such.
    const wrong = new MastodonClient({
      directory: sim.directory,
      tokens: parseMastodonTokens(`${baseOf(closed)}=nope`),
    });
    const refused = await wrong
      .tagTimeline(baseOf(closed), { tags: TAGS })
      .catch((caught: unknown) => caught);
    expect((refused as Error).name).toBe('MastodonAuthError');
    expect((refused as Error).message).not.toContain('nope');
  });

  test('accounts by user@instance on their home; unknown ones and foreign Links are refused by name', async () => {
    const client = new MastodonClient({ directory: sim.directory });
    const home = await client.lookupAccount('opendataforum@mastodon.social');
    expect(home).toMatchObject({
      handle: 'opendataforum@mastodon.social',
      id: 'https://mastodon.social/users/opendataforum',
    });
    expect(home.counts?.followers).toBe(scenario.users[0]?.followersAt(clock.now()));
    await expect(client.lookupAccount('nobody@mastodon.social')).rejects.toBeInstanceOf(
      MastodonNotFoundError,
    );
    await expect(client.lookupAccount('no-domain')).rejects.toBeInstanceOf(MastodonRequestError);
    await expect(
      client.tagTimelineAt(baseOf('mastodon.social'), 'http://evil.example/api/v1/timelines/tag/x'),
    ).rejects.toBeInstanceOf(MastodonRequestError);
  });

  test("an account timeline's next page is read at the instance its page names (a base URL with a path)", async () => {
    // The stand-in's instances live under path prefixes (http://127.0.0.1:<port>/i/<domain>/), as a test
    // server may: the page must name its instance so that the next page can be asked of it.
    const client = new MastodonClient({ directory: sim.directory });
    const first = await client.accountTimeline('opendataforum@mastodon.social', { limit: 2 });
    expect(first.instance).toBe(baseOf('mastodon.social'));
    expect(first.next).not.toBeNull();
    const second = await client.accountTimelineAt(first.instance, first.next ?? '');
    expect(second.posts.length).toBeGreaterThan(0);
    expect(second.posts.map((post) => post.id)).not.toContain(first.posts[0]?.id);
  });
});
