import { describe, expect, test } from 'vitest';
import { capture, fixture, home, scenario, simulator } from '../support/conformance-spec-fixture.ts';

/** The simulator's bodies have the shapes of the real captured ones (setup: tests/support/conformance-spec-fixture.ts). */

/** A JSON value's structure: key sets and primitive types, arrays by the union of their elements. */
type Shape = string | { [key: string]: Shape } | Shape[];

function shapeOf(value: unknown): Shape {
  if (Array.isArray(value)) {
    const merged = value
      .map(shapeOf)
      .reduce<Shape | undefined>((a, b) => (a === undefined ? b : merge(a, b)), undefined);
    return merged === undefined ? [] : [merged];
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, shapeOf(child)]));
  }
  return value === null ? 'null' : typeof value;
}

function merge(a: Shape, b: Shape): Shape {
  if (typeof a === 'string' || typeof b === 'string') return a === b ? a : `${String(a)}|${String(b)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    const [x] = a;
    const [y] = b;
    return x === undefined ? b : y === undefined ? a : [merge(x, y)];
  }
  if (Array.isArray(a) || Array.isArray(b)) return 'mixed';
  const out: { [key: string]: Shape } = { ...a };
  for (const [key, value] of Object.entries(b))
    out[key] = key in out ? merge(out[key] as Shape, value) : value;
  return out;
}

/**
 * Where the simulator's body departs from a real one: a key the capture does not have (unless allowed, for
 * fields added to X since the capture), or a value of another type. Keys of the capture the simulator
 * lacks are fine (scenario posts have no media, places, annotations…).
 */
function departures(ours: Shape, theirs: Shape, allowed: ReadonlySet<string>, path = ''): string[] {
  if (typeof theirs === 'string' || typeof ours === 'string')
    return ours === theirs
      ? []
      : [`${path || '/'}: ${JSON.stringify(ours)} where X sends ${JSON.stringify(theirs)}`];
  if (Array.isArray(theirs) || Array.isArray(ours)) {
    if (!Array.isArray(theirs) || !Array.isArray(ours)) return [`${path}: array vs object`];
    const [x] = ours;
    const [y] = theirs;
    return x === undefined || y === undefined ? [] : departures(x, y, allowed, `${path}[]`);
  }
  const found: string[] = [];
  for (const [key, value] of Object.entries(ours)) {
    const at = `${path}/${key}`;
    const real = theirs[key];
    if (real === undefined) {
      if (!allowed.has(key)) found.push(`${at}: not in the capture`);
    } else {
      found.push(...departures(value, real, allowed, at));
    }
  }
  return found;
}

/** Fields X added after the captures were made (edit history 2022, bookmarks and impressions 2023). */
const NEWER_FIELDS = new Set([
  'edit_history_tweet_ids',
  'bookmark_count',
  'impression_count',
  'edit_controls',
]);
const POST_CAPTURES = [
  'search_recent_page_with_partial_error.json',
  'tweets_lookup_with_impression_count.json',
  'users_lookup_by_ids_with_partial_errors.json',
  'user_timeline_docs_example.json',
];

/** A post and a user as X sends them: the union of every post and every user of the captures. */
function referenceShapes(): { post: Shape; user: Shape } {
  const posts: unknown[] = [];
  const users: unknown[] = [];
  for (const name of POST_CAPTURES) {
    const body = capture(name) as { data?: unknown[]; includes?: { tweets?: unknown[]; users?: unknown[] } };
    (name.startsWith('users_') ? users : posts).push(...(body.data ?? []));
    posts.push(...(body.includes?.tweets ?? []));
    users.push(...(body.includes?.users ?? []));
  }
  const [post] = shapeOf(posts) as Shape[];
  const [user] = shapeOf(users) as Shape[];
  if (!post || !user) throw new Error('captures without posts or users');
  return { post, user };
}

/** Departures of every post and user of a simulator body from the reference shapes. */
function entityDepartures(body: Record<string, unknown>): string[] {
  const reference = referenceShapes();
  const includes = (body.includes ?? {}) as { tweets?: unknown[]; users?: unknown[] };
  const data = Array.isArray(body.data) ? body.data : body.data ? [body.data] : [];
  const isUser = (item: unknown) => typeof item === 'object' && item !== null && 'username' in item;
  return [
    ...[...data.filter((item) => !isUser(item)), ...(includes.tweets ?? [])].flatMap((post) =>
      departures(shapeOf(post), reference.post, NEWER_FIELDS, '/post'),
    ),
    ...[...data.filter(isUser), ...(includes.users ?? [])].flatMap((user) =>
      departures(shapeOf(user), reference.user, NEWER_FIELDS, '/user'),
    ),
  ];
}

describe('bodies have the shapes of the real captured ones', () => {
  test('a search page with a suspended mention: data, includes, errors, meta as in the capture', async () => {
    const real = capture('search_recent_page_with_partial_error.json');
    const source = fixture('search_recent_page_with_partial_error.source.txt');
    // The capture's own request, field for field.
    const request = /https:\/\/api\.twitter\.com(\/2\/tweets\/search\/recent\?\S+)/.exec(source)?.[1] ?? '';
    const { get } = simulator();
    const ours = await get(request.replace(/query=%23kpop/, 'query=%23OGP16%20OR%20%23OGPSummit'));
    expect(ours.status).toBe(200);
    expect(Object.keys(ours.body).sort()).toEqual(Object.keys(real).sort());
    expect(Object.keys(ours.body.meta as object).sort()).toEqual(Object.keys(real.meta as object).sort());
    expect(Object.keys(ours.body.includes as object)).toEqual(['users', 'tweets']);
    expect(entityDepartures(ours.body)).toEqual([]);
    const [realError] = real.errors as Array<Record<string, unknown>>;
    const ourErrors = ours.body.errors as Array<Record<string, unknown>>;
    const suspendedError = ourErrors.find((error) => error.parameter === 'entities.mentions.username');
    expect(Object.keys(suspendedError ?? {}).sort()).toEqual(Object.keys(realError ?? {}).sort());
    expect(suspendedError).toMatchObject({
      title: 'Forbidden',
      resource_type: 'user',
      detail: `User has been suspended: [${suspendedError?.value}].`,
      type: 'https://api.twitter.com/2/problems/resource-not-found',
    });
  });

  test('post lookup: no meta, the capture’s shape', async () => {
    const real = capture('tweets_lookup_with_impression_count.json');
    const request = /https:\/\/api\.twitter\.com(\/2\/tweets\?\S+)/.exec(
      fixture('tweets_lookup_with_impression_count.source.txt'),
    )?.[1];
    const { get } = simulator();
    const ours = await get((request ?? '').replace(/ids=\d+/, `ids=${scenario.posts[5]?.id}`));
    expect(ours.status).toBe(200);
    expect(ours.body.meta).toBeUndefined();
    expect(real.meta).toBeUndefined();
    expect(Object.keys(ours.body).sort()).toEqual(Object.keys(real).sort());
    expect(entityDepartures(ours.body)).toEqual([]);
  });

  test('user lookup by ids with an unknown id: no meta, errors shaped like X’s', async () => {
    const real = capture('users_lookup_by_ids_with_partial_errors.json');
    const { get } = simulator();
    const ours = await get(
      `/2/users?ids=${home?.id},93071130&user.fields=created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,withheld`,
    );
    expect(ours.body.meta).toBeUndefined();
    const realUserError = (real.errors as Array<Record<string, unknown>>).find((e) => e.parameter === 'ids');
    expect(ours.body.errors).toEqual([realUserError]);
    expect(entityDepartures(ours.body)).toEqual([]);
  });

  test('a timeline page: the meta of X’s docs example, previous_token included', async () => {
    const real = capture('user_timeline_docs_example.json');
    const { get } = simulator();
    const ours = await get(
      `/2/users/${home?.id}/tweets?tweet.fields=created_at&expansions=author_id&user.fields=created_at&max_results=5`,
    );
    expect(Object.keys(ours.body).sort()).toEqual(Object.keys(real).sort());
    expect(Object.keys(ours.body.meta as object).sort()).toEqual(Object.keys(real.meta as object).sort());
    expect(departures(shapeOf(ours.body), shapeOf(real), NEWER_FIELDS)).toEqual([]);
    expect(entityDepartures(ours.body)).toEqual([]);
  });

  test('counts: the first bucket starts at the 7-day boundary, the others on the hour, as captured', async () => {
    const real = capture('counts_recent_hourly.json') as {
      data: Array<{ start: string; end: string }>;
      meta: Record<string, unknown>;
    };
    const { get } = simulator();
    const ours = (await get('/2/tweets/counts/recent?query=%23OGP16')).body as typeof real;
    expect(departures(shapeOf(ours), shapeOf(real), new Set())).toEqual([]);
    expect(ours.data).toHaveLength(real.data.length);
    const [first, second] = ours.data;
    const last = ours.data[ours.data.length - 1];
    expect(Date.parse(last?.end ?? '') - Date.parse(first?.start ?? '')).toBe(7 * 24 * 3_600_000);
    expect(first?.start).not.toMatch(/:00:00\.000Z$/);
    expect(second?.start).toMatch(/:00:00\.000Z$/);
    expect(first?.end).toBe(second?.start);
  });

  test('usage: counts as strings, cap_reset_day a number, keys as in the docs example', async () => {
    const real = capture('usage_tweets_default_fields.json');
    const { get } = simulator();
    const ours = await get('/2/usage/tweets');
    expect(shapeOf(ours.body)).toEqual(shapeOf(real));
    expect(Object.keys(ours.body.data as object)).toEqual(Object.keys(real.data as object));
  });

  test('error bodies: 401 byte for byte, 400/403/429/503 with the captures’ keys and values', async () => {
    const { get } = simulator({ tier: 'basic', rateLimits: { users: 1 }, monthlyPostCap: 1 });
    expect((await get('/2/users/by?usernames=OpenData_Forum', 'wrong')).text).toBe(
      fixture('error_401_unauthorized.json'),
    );
    const invalid = await get(
      '/2/tweets/search/recent?query=%23OGP16&previous_token=b26v89c19zqg8o3fscb69s6izbv7khbgdp5xlgxb544u5',
    );
    expect(invalid.body).toEqual(capture('error_400_invalid_request.json'));
    const forbidden = await get('/2/tweets/search/all?query=%23OGP16');
    expect(Object.keys(forbidden.body)).toEqual(Object.keys(capture('error_403_client_not_enrolled.json')));
    expect({ ...forbidden.body, client_id: '' }).toEqual({
      ...capture('error_403_client_not_enrolled.json'),
      client_id: '',
    });
    await get('/2/users/by?usernames=OpenData_Forum');
    const limited = await get('/2/users/by?usernames=OpenData_Forum');
    expect(limited.text).toBe(fixture('error_429_too_many_requests.json').trimEnd());
    await get('/2/tweets/search/recent?query=%23OGP16');
    const capped = await get('/2/tweets/search/recent?query=%23OGP16');
    const realCapped = capture('error_429_usage_capped.json');
    expect(Object.keys(capped.body)).toEqual(Object.keys(realCapped));
    expect({ ...capped.body, account_id: '' }).toEqual({ ...realCapped, account_id: '' });
    expect(capped.body.account_id).toMatch(/^\d+$/);
    expect(Number(capped.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(0);
    const down = simulator({ faults: { serviceUnavailable: { rate: 1 } } });
    const unavailable = await down.get('/2/tweets?ids=1');
    expect(unavailable.text).toBe(fixture('error_503_service_unavailable.json').trimEnd());
    expect(unavailable.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(unavailable.headers.get('x-rate-limit-limit')).toBeNull();
  });
});
