import { lexicons } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BlueskyAuthError,
  BlueskyRequestError,
  BlueskyTransientError,
} from '../../src/networks/bluesky/errors.ts';
import { type Exchange, type StandIn, startStandIn } from '../support/bluesky-stand-in.ts';

/**
 * Every answer of the Bluesky stand-in, as the real client received it over HTTP, checked against the
 * official lexicons shipped in @atproto/api: 200 bodies with `lexicons.assertValidXrpcOutput`, error
 * bodies as XRPC's `{error, message}` with a name XRPC or the method's lexicon declares.
 */

const METHODS = [
  'com.atproto.server.createSession',
  'com.atproto.server.refreshSession',
  'com.atproto.server.getSession',
  'app.bsky.feed.searchPosts',
  'app.bsky.feed.getAuthorFeed',
  'app.bsky.actor.getProfiles',
  'app.bsky.feed.getPosts',
];

/** XRPC's own error names (ResponseTypeNames) and the auth verifier's, valid on every method. */
const GENERIC_ERRORS = new Set([
  'InvalidResponse',
  'InvalidRequest',
  'AuthenticationRequired',
  'Forbidden',
  'XRPCNotSupported',
  'NotAcceptable',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'RateLimitExceeded',
  'InternalServerError',
  'MethodNotImplemented',
  'UpstreamFailure',
  'NotEnoughResources',
  'UpstreamTimeout',
  'AuthMissing',
  'ExpiredToken',
  'InvalidToken',
]);

function assertValidError(exchange: Exchange): void {
  const body = exchange.body as Record<string, unknown>;
  expect(Object.keys(body).sort(), `${exchange.method} ${exchange.status}`).toEqual(['error', 'message']);
  expect(typeof body.error).toBe('string');
  expect(typeof body.message).toBe('string');
  const declared =
    (lexicons.getDefOrThrow(exchange.method) as { errors?: Array<{ name: string }> }).errors ?? [];
  const allowed = new Set([...GENERIC_ERRORS, ...declared.map((e) => e.name)]);
  expect(allowed.has(String(body.error)), `${exchange.method} answered error ${String(body.error)}`).toBe(
    true,
  );
}

let standIn: StandIn;

beforeAll(async () => {
  standIn = await startStandIn(
    {
      name: 'conformance',
      seed: 41,
      accounts: 60,
      posts: 900,
      faults: { deletedPosts: { share: 0.05 }, renamedAccounts: { share: 0.05 } },
    },
    { rateLimits: { appview: 40 }, rateLimitWindowMs: 60_000 },
  );
  const { scenario, sim } = standIn;
  const client = standIn.client();
  // A search walked to its end, a session refreshed, then made anew.
  let cursor: string | null = null;
  do {
    const page = await client.searchPosts({ query: '#OGP16', cursor, limit: 100 });
    cursor = page.cursor;
  } while (cursor);
  sim.expireAccessTokens();
  await client.searchPosts({ query: '#OGPSummit', since: scenario.window.start, until: scenario.window.end });
  sim.expireSessions();
  await client.searchPosts({ query: '#OGPSummit lab', limit: 10 });
  // Every account's feed (reposts, replies, quotes), their profiles, and every post by URI.
  for (const account of scenario.accounts.slice(0, 12)) {
    await client.getAuthorFeed({ actor: account.did, limit: 100 });
  }
  await client.getProfiles(scenario.accounts.map((account) => account.did));
  await client.getPosts(scenario.posts.slice(0, 400).map((post) => post.uri));
  // Errors: a wrong password, an unknown actor, a search without a session, the rate limit.
  await expect(standIn.client({ appPassword: 'wrong' }).searchPosts({ query: '#OGP16' })).rejects.toThrow(
    BlueskyAuthError,
  );
  await expect(client.getAuthorFeed({ actor: 'nobody.bsky.social' })).rejects.toThrow(BlueskyRequestError);
  for (const path of ['app.bsky.feed.searchPosts?q=%23OGP16', 'app.bsky.feed.searchPosts', 'app.bsky.nope']) {
    const response = await fetch(`${sim.baseUrl}/xrpc/${path}`);
    standIn.exchanges.push({
      method: path.split('?')[0] ?? path,
      status: response.status,
      body: await response.json(),
    });
  }
  for (let i = 0; i < 45; i++) {
    try {
      await client.getProfiles([scenario.accounts[0]?.did ?? '']);
    } catch {
      break;
    }
  }
}, 120_000);

afterAll(async () => {
  await standIn?.close();
});

describe('Bluesky stand-in against the official lexicons', () => {
  test('every method the tracker calls answered, and every 200 body is valid output', () => {
    const ok = standIn.exchanges.filter((e) => e.status === 200);
    expect(new Set(ok.map((e) => e.method))).toEqual(new Set(METHODS));
    for (const exchange of ok) {
      expect(
        () => lexicons.assertValidXrpcOutput(exchange.method, exchange.body),
        exchange.method,
      ).not.toThrow();
    }
    expect(ok.length).toBeGreaterThan(40);
    expect(standIn.unexpected).toEqual([]);
  });

  test('the bodies carry what the tracker reads: reposts, quotes (deleted ones too), replies, facets', () => {
    const bodies = JSON.stringify(standIn.exchanges.filter((e) => e.status === 200).map((e) => e.body));
    for (const shape of [
      'app.bsky.feed.defs#reasonRepost',
      'app.bsky.embed.record#viewRecord',
      'app.bsky.embed.record#viewNotFound',
      'app.bsky.richtext.facet#mention',
      'app.bsky.richtext.facet#tag',
      '"reply":{"root"',
      '"quoteCount"',
    ]) {
      expect(bodies).toContain(shape);
    }
  });

  test('every error body is {error, message} with a name XRPC or the lexicon declares', () => {
    const errors = standIn.exchanges.filter((e) => e.status >= 400);
    const seen = new Set(errors.map((e) => `${e.status} ${String((e.body as { error?: unknown }).error)}`));
    expect(seen).toEqual(
      new Set([
        '400 ExpiredToken',
        '401 AuthenticationRequired',
        '400 InvalidRequest',
        '401 AuthMissing',
        '501 MethodNotImplemented',
        '429 RateLimitExceeded',
      ]),
    );
    for (const exchange of errors) {
      if (exchange.method === 'app.bsky.nope') continue;
      assertValidError(exchange);
    }
  });

  type SearchBody = {
    cursor?: unknown;
    posts: Array<Record<string, unknown> & { author: Record<string, unknown> }>;
  };
  const first = (body: SearchBody) => body.posts[0] ?? { author: {} };
  test.each([
    ['a post without its cid', (body: SearchBody) => delete first(body).cid, /cid/],
    ['a uri that is no at-uri', (body: SearchBody) => (first(body).uri = 'https://bsky.app/x'), /uri/],
    ['a like count as text', (body: SearchBody) => (first(body).likeCount = '3'), /likeCount/],
    ['an author without a DID', (body: SearchBody) => (first(body).author.did = 'opendataforum'), /did/],
    ['a cursor as a number', (body: SearchBody) => (body.cursor = 100), /cursor/],
  ])('a wrong field fails the check: %s', (_name, mutate, message) => {
    const search = standIn.exchanges.find(
      (e) => e.method === 'app.bsky.feed.searchPosts' && e.status === 200,
    );
    const body = structuredClone(search?.body) as SearchBody;
    expect(body.posts.length).toBeGreaterThan(0);
    expect(() => lexicons.assertValidXrpcOutput('app.bsky.feed.searchPosts', body)).not.toThrow();
    mutate(body);
    expect(() => lexicons.assertValidXrpcOutput('app.bsky.feed.searchPosts', body)).toThrow(message);
  });

  test('the client itself refuses a body the lexicon rejects, as a transient error', async () => {
    const mutating: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = (await response.json()) as { posts?: Array<Record<string, unknown>> };
      for (const post of body.posts ?? []) post.likeCount = 'many';
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const client = standIn.client({ fetch: mutating });
    const error = await client.searchPosts({ query: '#OGP16', limit: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlueskyTransientError);
    expect((error as BlueskyTransientError).code).toBe('InvalidResponse');
    expect((error as Error).message).toMatch(/likeCount/);
  });
});
