import type { AtpSessionData } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BlueskyAuthError,
  BlueskyRateLimitError,
  BlueskyRequestError,
} from '../../src/networks/bluesky/errors.ts';
import type { NetworkPost } from '../../src/networks/types.ts';
import { type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';

/** The Bluesky client against the stand-in over HTTP: sessions, paging, rate limits, deletions, renames. */

let standIn: StandIn;

beforeAll(async () => {
  standIn = await startStandIn({
    name: 'client',
    seed: 43,
    accounts: 50,
    posts: 700,
    faults: { deletedPosts: { share: 0.06 }, renamedAccounts: { share: 0.08 } },
  });
});

afterAll(async () => {
  await standIn?.close();
});

const stats = () => standIn.sim.stats();
const nowMs = () => standIn.clock.now().getTime();

describe('session', () => {
  test('one createSession serves every search; an expired access token is refreshed, not re-created', async () => {
    const before = stats();
    const client = standIn.client();
    for (let i = 0; i < 4; i++) await client.searchPosts({ query: '#OGP16', limit: 5 });
    expect(stats().sessionsCreated - before.sessionsCreated).toBe(1);

    standIn.sim.expireAccessTokens();
    const page = await client.searchPosts({ query: '#OGP16', limit: 5 });
    expect(page.posts).toHaveLength(5);
    expect(stats().sessionsCreated - before.sessionsCreated).toBe(1);
    expect(stats().sessionsRefreshed - before.sessionsRefreshed).toBe(1);

    // The refresh token gone too: only a new session helps, and the client makes one.
    standIn.sim.expireSessions();
    await client.searchPosts({ query: '#OGP16', limit: 5 });
    expect(stats().sessionsCreated - before.sessionsCreated).toBe(2);
  });

  test('a saved session is resumed by the next client instead of a new createSession', async () => {
    let saved: AtpSessionData | undefined;
    await standIn
      .client({ onSession: (session) => (saved = session) })
      .searchPosts({ query: '#OGP16', limit: 1 });
    expect(saved?.accessJwt).toBeTruthy();
    const before = stats();
    await standIn.client({ ...(saved ? { session: saved } : {}) }).searchPosts({ query: '#OGP16', limit: 1 });
    expect(stats().sessionsCreated).toBe(before.sessionsCreated);
    expect(stats().sessionsRefreshed - before.sessionsRefreshed).toBe(1);
  });

  test('a wrong app password is an unrecoverable auth error that never shows the password', async () => {
    const error = await standIn
      .client({ appPassword: 'nope-nope-nope-nope' })
      .searchPosts({ query: '#OGP16' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlueskyAuthError);
    expect((error as BlueskyAuthError).transient).toBe(false);
    expect((error as Error).message).toMatch(/tracker-demo\.bsky\.social/);
    expect((error as Error).message).not.toMatch(/nope-nope|test-pass/);
  });
});

describe('paging', () => {
  test('a search walks to its end: every visible #OGP16 post once, newest first', async () => {
    const expected = standIn.scenario.posts
      .filter((post) => post.tags.includes('ogp16'))
      .filter((post) => post.createdAt.getTime() <= nowMs())
      .filter(
        (post) =>
          !standIn.scenario.faults.deletedPosts.some((d) => d.uri === post.uri && d.at.getTime() <= nowMs()),
      )
      .map((post) => post.uri)
      .reverse();
    expect(expected.length).toBeGreaterThan(150);
    const client = standIn.client();
    const got: NetworkPost[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.searchPosts({ query: '#ogp16', cursor, limit: 37 });
      got.push(...page.posts);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(got.map((post) => post.id)).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 37));
    expect(got.every((post) => post.hashtags.includes('ogp16') && post.counts.impression === null)).toBe(
      true,
    );
  });

  test("an author feed walks to its end with the author's reposts as kind 'repost'", async () => {
    const home = standIn.scenario.accounts[0];
    if (!home) throw new Error('no home account');
    const visible = (uri: string) =>
      !standIn.scenario.faults.deletedPosts.some((d) => d.uri === uri && d.at.getTime() <= nowMs());
    const expected = [
      ...standIn.scenario.posts
        .filter((p) => p.authorDid === home.did && visible(p.uri))
        .map((p) => ({ id: p.uri, at: p.createdAt.getTime(), kind: p.kind as string })),
      ...standIn.scenario.reposts
        .filter((r) => r.byDid === home.did && visible(r.subject.uri))
        .map((r) => ({ id: r.uri, at: r.createdAt.getTime(), kind: 'repost' })),
    ].filter((entry) => entry.at <= nowMs());
    const client = standIn.client();
    const got: NetworkPost[] = [];
    let cursor: string | null = null;
    do {
      const page = await client.getAuthorFeed({ actor: home.handle, cursor, limit: 13 });
      got.push(...page.posts);
      cursor = page.cursor;
    } while (cursor);
    expect(got.map((p) => p.id).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(new Set(got.map((p) => p.id)).size).toBe(got.length);
    const times = got.map((p) => p.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const reposts = got.filter((p) => p.kind === 'repost');
    expect(reposts.length).toBe(expected.filter((e) => e.kind === 'repost').length);
    expect(reposts.length).toBeGreaterThan(0);
    for (const repost of reposts) {
      expect(repost.authorId).toBe(home.did);
      expect(repost.referencedPostId).toMatch(/^at:\/\/did:plc:[a-z2-7]{24}\/app\.bsky\.feed\.post\//);
      expect(repost.mentions).toEqual([]);
    }
  });
});

describe('rate limits', () => {
  test('RateLimit-* headers are read; a 429 carries the reset, and waiting for it is enough', async () => {
    const limited = await startStandIn(
      { name: 'limited', seed: 44, accounts: 20, posts: 150 },
      { rateLimits: { appview: 3 }, rateLimitWindowMs: 1500 },
    );
    try {
      const client = limited.client();
      const did = limited.scenario.accounts[0]?.did ?? '';
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        await client.getProfiles([did]);
        remaining.push(client.rateLimit('app.bsky.actor.getProfiles')?.remaining ?? -1);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const error = await client.getProfiles([did]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlueskyRateLimitError);
      const resetAt = (error as BlueskyRateLimitError).resetAt.getTime();
      expect(resetAt).toBeGreaterThan(Date.now() - 1000);
      expect(resetAt).toBeLessThanOrEqual(Date.now() + 2500);
      await expect(client.getProfiles([did])).rejects.toThrow(BlueskyRateLimitError);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - Date.now()) + 50));
      const after = await client.getProfiles([did]);
      expect(after.found.map((a) => a.id)).toEqual([did]);
      expect(limited.sim.stats().rateLimited).toBe(2);
    } finally {
      await limited.close();
    }
  });
});

describe('deleted posts and renamed handles', () => {
  test('deleted posts are missing from getPosts and search; one deleted later vanishes when its time comes', async () => {
    const { faults } = standIn.scenario;
    const gone = faults.deletedPosts.filter((d) => d.at.getTime() <= nowMs()).map((d) => d.uri);
    const later = faults.deletedPosts.find((d) => d.at.getTime() > nowMs() + 60_000);
    expect(gone.length).toBeGreaterThan(3);
    if (!later) throw new Error('the scenario deletes no post after the window');
    const kept = standIn.scenario.posts
      .filter((p) => !faults.deletedPosts.some((d) => d.uri === p.uri))
      .slice(0, 30);
    const client = standIn.client();
    const lookup = await client.getPosts([...gone, later.uri, ...kept.map((p) => p.uri)]);
    expect(lookup.missing.sort()).toEqual([...gone].sort());
    expect(lookup.found.map((p) => p.id)).toEqual([later.uri, ...kept.map((p) => p.uri)]);

    const saved = standIn.clock.now();
    standIn.clock.set(new Date(later.at.getTime() + 1));
    try {
      const again = await client.getPosts([later.uri, kept[0]?.uri ?? '']);
      expect(again.missing).toEqual([later.uri]);
    } finally {
      standIn.clock.set(saved);
    }
  });

  test('a renamed handle stops resolving, its DID keeps working, and mentions still name the DID', async () => {
    const notDeleted = (uri: string) => !standIn.scenario.faults.deletedPosts.some((d) => d.uri === uri);
    // A renamed account that was mentioned before its rename.
    const rename = standIn.scenario.faults.renamedAccounts.find(
      (r) =>
        r.at.getTime() <= nowMs() &&
        standIn.scenario.posts.some(
          (p) => p.mentions.includes(r.did) && p.createdAt < r.at && notDeleted(p.uri),
        ),
    );
    if (!rename) throw new Error('the scenario renames nobody mentioned before');
    const client = standIn.client();
    const byOld = await client.getProfiles([rename.from]);
    expect(byOld.found).toEqual([]);
    expect(byOld.missing).toEqual([rename.from]);
    const byDid = await client.getProfiles([rename.did, rename.to]);
    expect(byDid.found.map((a) => [a.id, a.handle])).toEqual([
      [rename.did, rename.to],
      [rename.did, rename.to],
    ]);
    await expect(client.getAuthorFeed({ actor: rename.from })).rejects.toThrow(BlueskyRequestError);

    // Posts written before the rename say `@old`, after it `@new`: the facet's DID is what counts.
    const mentioning = standIn.scenario.posts.filter(
      (p) => p.mentions.includes(rename.did) && notDeleted(p.uri) && p.createdAt.getTime() <= nowMs(),
    );
    const before = mentioning.find((p) => p.createdAt < rename.at);
    if (!before) throw new Error('unreachable: the rename was picked for such a post');
    const after = mentioning.filter((p) => p.createdAt >= rename.at);
    const found = (await client.getPosts([before.uri, ...after.map((p) => p.uri)])).found;
    expect(found).toHaveLength(1 + after.length);
    for (const post of found) expect(post.mentions).toContain(rename.did);
    expect(found[0]?.text).toContain(`@${rename.from}`);
    for (const post of found.slice(1)) expect(post.text).toContain(`@${rename.to}`);
  });
});
