import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import {
  createSimulator,
  generateScenario,
  type Scenario,
  type SimulatorAppOptions,
} from '../../src/simulator/index.ts';

/**
 * Every endpoint's responses, errors included, against X's published OpenAPI spec (2.166, the last with
 * the classic names), and against the shapes of real captured bodies (tests/fixtures/x-api, each with
 * its .source.txt). The spec is relaxed only where the README of shared/x-api says X departs from it:
 * usage numbers as strings, bookmark/impression counts absent from older captures, either host in a
 * problem's `type`. A second, stricter pass also forbids any property the spec does not declare, so the
 * simulator cannot invent fields.
 */

const fixture = (name: string) => readFileSync(new URL(`../fixtures/x-api/${name}`, import.meta.url), 'utf8');
const capture = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;
// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

interface OpenApi {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> } }
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** The spec with the README's three relaxations; `strict` also closes every plain object schema. */
function loadSpec(strict: boolean): OpenApi {
  const spec = JSON.parse(fixture('openapi-2.166.json')) as OpenApi;
  const schemas = spec.components.schemas;
  const stringOrInteger = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }] };
  const usage = schemas.Usage as { properties: Record<string, Record<string, unknown>> };
  usage.properties.project_cap = stringOrInteger;
  usage.properties.project_usage = stringOrInteger;
  const daily = usage.properties.daily_project_usage as { properties: Record<string, unknown> };
  daily.properties.project_id = stringOrInteger;
  (schemas.UsageFields as { properties: Record<string, unknown> }).properties.usage = stringOrInteger;
  const metrics = (schemas.Tweet as { properties: { public_metrics: { required: string[] } } }).properties
    .public_metrics;
  metrics.required = metrics.required.filter(
    (name) => name !== 'bookmark_count' && name !== 'impression_count',
  );
  if (strict) {
    const inAllOf = new Set<string>();
    JSON.stringify(schemas, (key, value) => {
      if (key === 'allOf') for (const part of value as Array<{ $ref?: string }>) inAllOf.add(part.$ref ?? '');
      return value;
    });
    const close = (schema: Record<string, unknown>) => {
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (!properties || schema.allOf || schema.additionalProperties !== undefined) return;
      schema.additionalProperties = false;
      for (const child of Object.values(properties)) {
        close(child);
        if (child.items) close(child.items as Record<string, unknown>);
      }
    };
    for (const [name, schema] of Object.entries(schemas)) {
      if (!inAllOf.has(`#/components/schemas/${name}`)) close(schema);
    }
  }
  return spec;
}

class SpecValidator {
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #spec: OpenApi;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(strict: boolean) {
    this.#spec = loadSpec(strict);
    addFormats(this.#ajv);
    const formats = new Set<string>();
    JSON.stringify(this.#spec, (key, value) => {
      if (key === 'format' && typeof value === 'string') formats.add(value);
      return value;
    });
    // The spec uses formats no validator knows ("long", a regex as a format…): they annotate, nothing more.
    for (const format of formats) if (!this.#ajv.formats[format]) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema(this.#spec, 'spec');
  }

  /** Problems found in a body answered by `pathTemplate` with `status` (empty when it conforms). */
  check(pathTemplate: string, status: number, body: unknown): string[] {
    if (status !== 200) return this.#problem(body, '');
    const operation = this.#spec.paths[pathTemplate]?.get;
    const ref = operation?.responses['200']?.content?.['application/json']?.schema.$ref;
    if (!ref) return [`no 200 schema for ${pathTemplate}`];
    const found = this.#validate(ref, body, '');
    const errors = (body as { errors?: unknown[] }).errors ?? [];
    errors.forEach((problem, i) => {
      found.push(...this.#problem(problem, `/errors/${i}`));
    });
    return found;
  }

  /** A problem validates against the schema its `type` maps to (api.x.com read as api.twitter.com). */
  #problem(body: unknown, at: string): string[] {
    const type = String((body as { type?: unknown }).type ?? '').replace(
      'https://api.x.com/2/problems/',
      'https://api.twitter.com/2/problems/',
    );
    const mapping = (
      this.#spec.components.schemas.Problem as { discriminator: { mapping: Record<string, string> } }
    ).discriminator.mapping;
    const ref = mapping[type];
    if (!ref) return [`${at || '/'}: problem type ${type} is not in the spec`];
    return this.#validate(ref, body, at);
  }

  #validate(ref: string, body: unknown, at: string): string[] {
    let validate = this.#compiled.get(ref);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `spec${ref}` });
      this.#compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${at}${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
    );
  }
}

const TOKEN = 'spec-bearer';
const NOW = '2016-12-08T15:00:00+01:00';
const scenario: Scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
const home = scenario.users.find((user) => user.username === scenario.homeUsername);
const before = (iso: string) => scenario.posts.filter((post) => post.createdAt < new Date(iso));

/** An account mentioned in posts before NOW, neither home nor watchlist: suspended in the fault scenario. */
const mentionedUsername = (() => {
  const campaign = new Set([scenario.homeUsername, ...scenario.watchlist].map((name) => name.toLowerCase()));
  const counts = new Map<string, number>();
  for (const post of before(NOW))
    for (const name of post.mentions)
      if (!campaign.has(name.toLowerCase())) counts.set(name, (counts.get(name) ?? 0) + 1);
  const [name] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!name) throw new Error('no mentioned account in the scenario');
  return scenario.users.find((user) => user.username.toLowerCase() === name.toLowerCase())?.username ?? name;
})();
const suspended = scenario.users.find((user) => user.username === mentionedUsername);
const deletedPost = before(NOW).find((post) => post.kind === 'post' && post.authorId === home?.id);
const replyToDeleted = scenario.posts.find(
  (post) => post.referencedId === deletedPost?.id && post.createdAt < new Date(NOW),
);

function simulator(options: Partial<SimulatorAppOptions> = {}) {
  let realMs = Date.parse('2030-01-01T00:00:00Z');
  const sim = createSimulator({
    scenario,
    clock: new ManualClock(NOW),
    bearerToken: TOKEN,
    realNow: () => realMs,
    archiveSearchIntervalMs: 0,
    faults: {
      suspendedAccounts: { usernames: [mentionedUsername], at: '2016-12-08T00:00:00Z' },
      deletedPosts: { ids: deletedPost ? [deletedPost.id] : [], delayMs: 60_000 },
    },
    ...options,
  });
  const get = async (path: string, token = TOKEN) => {
    const res = await sim.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };
  return { sim, get, advanceRealTime: (ms: number) => (realMs += ms) };
}

const POST_FIELDS =
  'tweet.fields=attachments,author_id,context_annotations,conversation_id,created_at,edit_controls,entities,geo,id,in_reply_to_user_id,lang,public_metrics,possibly_sensitive,referenced_tweets,reply_settings,source,text,withheld' +
  '&user.fields=created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,withheld' +
  '&expansions=author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,entities.mentions.username';
const USER_FIELDS =
  'user.fields=created_at,description,profile_image_url,protected,public_metrics,url,verified';

/** One request per row: [what, spec path, request path, expected status]. */
const MATRIX: Array<[string, string, string, number]> = [
  ['search, default fields', '/2/tweets/search/recent', '/2/tweets/search/recent?query=%23OGP16', 200],
  [
    'search, every field and expansion, a suspended mention',
    '/2/tweets/search/recent',
    `/2/tweets/search/recent?query=%23OGP16%20OR%20%23OGPSummit&max_results=100&${POST_FIELDS}`,
    200,
  ],
  ['search, empty page', '/2/tweets/search/recent', '/2/tweets/search/recent?query=nothingmatchesthis', 200],
  [
    'archive search',
    '/2/tweets/search/all',
    `/2/tweets/search/all?query=%23OGP16&max_results=500&start_time=2016-12-01T00:00:00Z&${POST_FIELDS}`,
    200,
  ],
  ['counts by hour', '/2/tweets/counts/recent', '/2/tweets/counts/recent?query=%23OGP16', 200],
  ['counts by day', '/2/tweets/counts/recent', '/2/tweets/counts/recent?query=%23OGP16&granularity=day', 200],
  [
    'counts by minute',
    '/2/tweets/counts/recent',
    '/2/tweets/counts/recent?query=%23OGP16&granularity=minute&start_time=2016-12-08T10:00:00Z',
    200,
  ],
  [
    'archive counts, a page and its next_token',
    '/2/tweets/counts/all',
    '/2/tweets/counts/all?query=%23OGP16&granularity=day&start_time=2016-09-01T00:00:00Z',
    200,
  ],
  [
    '400: ids and instants mixed',
    '/2/tweets/search/all',
    `/2/tweets/search/all?query=%23OGP16&since_id=${scenario.posts[5]?.id}&start_time=2016-12-01T00:00:00Z`,
    400,
  ],
  ['timeline', '/2/users/{id}/tweets', `/2/users/${home?.id}/tweets?max_results=100&${POST_FIELDS}`, 200],
  ['timeline of an unknown user', '/2/users/{id}/tweets', '/2/users/12345/tweets', 200],
  ['timeline of a suspended user', '/2/users/{id}/tweets', `/2/users/${suspended?.id}/tweets`, 200],
  [
    'users by usernames, unknown and suspended among them',
    '/2/users/by',
    `/2/users/by?usernames=OpenData_Forum,NoSuchUser42,${mentionedUsername}&${USER_FIELDS}`,
    200,
  ],
  [
    'user by username',
    '/2/users/by/username/{username}',
    `/2/users/by/username/OpenData_Forum?${USER_FIELDS}`,
    200,
  ],
  ['unknown user by username', '/2/users/by/username/{username}', '/2/users/by/username/NoSuchUser42', 200],
  ['users by ids', '/2/users', `/2/users?ids=${home?.id},42&${USER_FIELDS}`, 200],
  ['user by id', '/2/users/{id}', `/2/users/${home?.id}?${USER_FIELDS}`, 200],
  [
    'posts by ids, a deleted one among them',
    '/2/tweets',
    `/2/tweets?ids=${scenario.posts[5]?.id},${deletedPost?.id},${replyToDeleted?.id ?? scenario.posts[6]?.id}&${POST_FIELDS}`,
    200,
  ],
  ['post by id', '/2/tweets/{id}', `/2/tweets/${scenario.posts[5]?.id}?${POST_FIELDS}`, 200],
  ['unknown post by id', '/2/tweets/{id}', '/2/tweets/42', 200],
  ['usage, default fields', '/2/usage/tweets', '/2/usage/tweets', 200],
  [
    'usage, daily fields',
    '/2/usage/tweets',
    '/2/usage/tweets?days=3&usage.fields=daily_project_usage,daily_client_app_usage,project_usage',
    200,
  ],
  [
    '400: max_results',
    '/2/tweets/search/recent',
    '/2/tweets/search/recent?query=%23OGP16&max_results=5',
    400,
  ],
  [
    '400: unknown parameter',
    '/2/tweets/search/recent',
    '/2/tweets/search/recent?query=x&previous_token=y',
    400,
  ],
  ['400: bad query', '/2/tweets/search/recent', '/2/tweets/search/recent?query=(%23OGP16', 400],
  ['400: 101 ids', '/2/users', `/2/users?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, 400],
  ['400: bad days', '/2/usage/tweets', '/2/usage/tweets?days=91', 400],
  [
    '400: counts granularity',
    '/2/tweets/counts/recent',
    '/2/tweets/counts/recent?query=x&granularity=week',
    400,
  ],
  ['404: no such route', '/2/tweets/search/stream', '/2/tweets/search/stream', 404],
];

describe('every response validates against openapi-2.166.json', () => {
  let lenient: SpecValidator;
  let strict: SpecValidator;
  const responses = new Map<string, { status: number; body: Record<string, unknown> }>();

  beforeAll(async () => {
    lenient = new SpecValidator(false);
    strict = new SpecValidator(true);
    const { get } = simulator();
    for (const [what, , path] of MATRIX) responses.set(what, await get(path));
  });

  test.each(MATRIX)('%s', (what, template, _path, status) => {
    const response = responses.get(what);
    expect(response?.status).toBe(status);
    expect(lenient.check(template, response?.status ?? 0, response?.body)).toEqual([]);
    expect(strict.check(template, response?.status ?? 0, response?.body)).toEqual([]);
  });

  test('the matrix covers every endpoint and its partial errors', () => {
    const templates = new Set(MATRIX.map(([, template]) => template));
    for (const endpoint of [
      '/2/tweets/search/recent',
      '/2/tweets/search/all',
      '/2/tweets/counts/recent',
      '/2/tweets/counts/all',
      '/2/users/{id}/tweets',
      '/2/users/by',
      '/2/users/by/username/{username}',
      '/2/users',
      '/2/users/{id}',
      '/2/tweets',
      '/2/tweets/{id}',
      '/2/usage/tweets',
    ]) {
      expect(templates).toContain(endpoint);
    }
    const errors = [...responses.values()].flatMap((r) => (r.body.errors as Array<{ title: string }>) ?? []);
    expect(errors.map((e) => e.title)).toEqual(expect.arrayContaining(['Forbidden', 'Not Found Error']));
  });

  test('401, 403, both 429s and 503 validate as the problems they are', async () => {
    const bodies: Array<[number, unknown]> = [];
    const { get } = simulator();
    const unauthorized = await get('/2/users/by?usernames=OpenData_Forum', 'wrong');
    bodies.push([unauthorized.status, unauthorized.body]);
    const basic = simulator({ tier: 'basic', rateLimits: { users: 1 }, monthlyPostCap: 1 });
    const forbidden = await basic.get('/2/tweets/search/all?query=%23OGP16');
    bodies.push([forbidden.status, forbidden.body]);
    await basic.get('/2/users/by?usernames=OpenData_Forum');
    const tooMany = await basic.get('/2/users/by?usernames=OpenData_Forum');
    bodies.push([tooMany.status, tooMany.body]);
    await basic.get('/2/tweets/search/recent?query=%23OGP16');
    const capped = await basic.get('/2/tweets/search/recent?query=%23OGP16');
    bodies.push([capped.status, capped.body]);
    const down = simulator({ faults: { serviceUnavailable: { rate: 1 } } });
    const unavailable = await down.get('/2/users/by?usernames=OpenData_Forum');
    bodies.push([unavailable.status, unavailable.body]);
    expect(bodies.map(([status]) => status)).toEqual([401, 403, 429, 429, 503]);
    for (const [status, body] of bodies) expect(strict.check('', status, body)).toEqual([]);
  });

  test('the validator is not vacuous: broken bodies fail it', () => {
    expect(strict.check('/2/tweets/search/recent', 200, { meta: { result_count: '0' } })).not.toEqual([]);
    expect(strict.check('/2/users/by', 200, { data: [{ id: '1', name: 'n' }] })).not.toEqual([]);
    expect(
      strict.check('/2/users/by', 200, { data: [{ id: '1', name: 'n', username: 'u', colour: 1 }] }),
    ).not.toEqual([]);
    expect(
      lenient.check('', 429, { title: 'Too Many Requests', type: 'https://example.com/nope' }),
    ).not.toEqual([]);
  });

  test('the real captures validate too (with the relaxations), as the README says', () => {
    // The README vouches for the lookup, timeline, counts and error examples. The search page breaks the
    // spec once more, in a place the simulator never fills: a 19-character @mention in a profile description.
    expect(
      lenient.check('/2/tweets/search/recent', 200, capture('search_recent_page_with_partial_error.json')),
    ).toEqual([
      expect.stringMatching(
        /^\/includes\/users\/\d+\/entities\/description\/mentions\/\d+\/username must match pattern/,
      ),
    ]);
    expect(lenient.check('/2/tweets', 200, capture('tweets_lookup_with_impression_count.json'))).toEqual([]);
    expect(lenient.check('/2/users', 200, capture('users_lookup_by_ids_with_partial_errors.json'))).toEqual(
      [],
    );
    expect(lenient.check('/2/tweets/counts/recent', 200, capture('counts_recent_hourly.json'))).toEqual([]);
    expect(lenient.check('/2/users/{id}/tweets', 200, capture('user_timeline_docs_example.json'))).toEqual(
      [],
    );
    expect(lenient.check('/2/usage/tweets', 200, capture('usage_tweets_default_fields.json'))).toEqual([]);
    for (const [status, name] of [
      [400, 'error_400_invalid_request.json'],
      [401, 'error_401_unauthorized.json'],
      [403, 'error_403_client_not_enrolled.json'],
      [429, 'error_429_too_many_requests.json'],
      [429, 'error_429_usage_capped.json'],
      [503, 'error_503_service_unavailable.json'],
    ] as const) {
      expect(lenient.check('', status, capture(name))).toEqual([]);
    }
  });
});

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
