import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import {
  isApiRoute,
  type MediaType,
  mediaType,
  type OpenApiDocument,
  openApiDocument,
  type Parameter,
} from '../../dashboard/server/openapi/document.ts';
import { metricDefinitions } from '../../dashboard/server/openapi/metric-definitions.ts';
import type { JsonSchema } from '../../dashboard/server/openapi/route-docs.ts';
import { ManualClock } from '../../src/clock.ts';
import { type DemoCampaign, loadDemoCampaign } from '../support/export-fixtures.ts';
import {
  createTestDatabase,
  silentLog,
  type TestDatabase,
  testRedisUrl,
  uniqueName,
} from '../support/services.ts';

/**
 * `/api/v1/openapi.json` against the real answers: every documented GET is called on the demo
 * campaign (the simulator's OGP 2016 scenario, small) and each answer is validated against the
 * document with ajv (draft 2020-12, strict). The document is built from the app's routes, so a
 * route it does not describe fails here.
 */

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

let t: TestDatabase;
let demo: DemoCampaign;
let app: Dashboard;
let document: OpenApiDocument;
/** Admin GETs (the campaign file) are called with it; the others ignore it. */
const adminToken = 'openapi-test-admin-token';
const ajv = addFormats(new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true }));

beforeAll(async () => {
  t = await createTestDatabase();
  demo = await loadDemoCampaign(t.db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({
    db: t.db,
    clock: new ManualClock(demo.observedAt),
    demo: true,
    log: silentLog,
    redisUrl: testRedisUrl,
    prefix: uniqueName('bull'),
    rateLimit: false,
    adminToken,
  });
  const response = await app.request('/api/v1/openapi.json');
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenApiDocument;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** The errors of one answer against its schema, as lines naming the URL (none: it is as documented). */
function problems(url: string, schema: JsonSchema, body: unknown): string[] {
  const validate = ajv.compile(schema);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${url}: ${error.instancePath || '/'} ${error.message}`);
}

/** Each documented path with its parameters filled from the demo campaign, every value of an enum. */
function urlsOf(path: string, parameters: Parameter[]): string[] {
  const demoValues: Record<string, string[]> = {
    slug: [demo.campaign.slug],
    username: [demo.campaign.home_username],
    network: ['x'],
  };
  // A handle in the form of the network named before it in the path (none collected there: no points).
  const handleOn: Record<string, string> = {
    x: demo.campaign.home_username,
    bluesky: 'opendataforum.bsky.social',
    mastodon: 'opendataforum@mastodon.social',
  };
  let urls = [path];
  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    if (parameter.name === 'handle') {
      urls = urls.map((url) => {
        const network = /\/accounts\/([a-z]+)\/\{handle\}/.exec(url)?.[1] ?? 'x';
        return url.replace('{handle}', encodeURIComponent(handleOn[network] ?? ''));
      });
      continue;
    }
    const values = Array.isArray(parameter.schema.enum)
      ? (parameter.schema.enum as string[])
      : demoValues[parameter.name];
    if (!values) throw new Error(`no demo value for the path parameter {${parameter.name}} of ${path}`);
    urls = urls.flatMap((url) =>
      values.map((value) => url.replace(`{${parameter.name}}`, encodeURIComponent(value))),
    );
  }
  return urls;
}

/** The first event of a stream (`event: hello` …), then the stream is closed. */
async function firstEvent(response: Response): Promise<{ event: string; data: unknown }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  const fields = Object.fromEntries(
    (text.split('\n\n')[0] ?? '')
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
  );
  return { event: fields.event ?? '', data: JSON.parse(fields.data ?? 'null') };
}

/** What a documented GET answered that the document does not say. */
async function checkAnswer(
  url: string,
  media: Record<string, MediaType>,
  expectedStatus: string,
): Promise<string[]> {
  const response = await app.request(url, { headers: { Authorization: `Bearer ${adminToken}` } });
  if (String(response.status) !== expectedStatus) {
    return [`${url}: status ${response.status}, documented ${expectedStatus}: ${await response.text()}`];
  }
  const type = mediaType(response.headers.get('Content-Type') ?? '');
  const documented = media[type];
  if (!documented) return [`${url}: answered ${type}, documented ${Object.keys(media).join(', ')}`];
  if (type === 'text/event-stream') {
    const { event, data } = await firstEvent(response);
    const schema = documented['x-events']?.[event];
    return schema
      ? problems(`${url} (event ${event})`, schema, data)
      : [`${url}: undocumented event "${event}"`];
  }
  if (type === 'application/json') return problems(url, documented.schema, await response.json());
  const body = new Uint8Array(await response.arrayBuffer());
  return body.length > 0 ? [] : [`${url}: empty body`];
}

describe('the document', () => {
  test('is OpenAPI 3.1 and describes every route of the API the app serves', () => {
    expect(document.openapi).toBe('3.1.0');
    const served = app.routes
      .filter((route) => route.method !== 'ALL' && isApiRoute(route.path))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(new Set(served)).toEqual(new Set(documented));
    expect(documented).toEqual(
      expect.arrayContaining([
        'GET /api/v1/campaigns/{slug}/leaderboard',
        'GET /api/v1/campaigns/{slug}/events',
        'GET /api/v1/campaigns/{slug}/export/{file}',
        'POST /api/v1/campaigns/{slug}/watchlist',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ]),
    );
  });

  test('a route the app serves without a description fails the document', () => {
    const other = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true });
    other.get('/api/v1/campaigns/:slug/undocumented', (c) => c.json({}));
    expect(() => openApiDocument(other, { version: '0.0.0', rateLimited: () => false })).toThrow(
      'GET /api/v1/campaigns/:slug/undocumented has no describeRoute(…)',
    );
  });

  test('admin writes name the bearer token and answer 401 and 403 as errors', () => {
    const add = document.paths['/api/v1/campaigns/{slug}/watchlist']?.post;
    expect(add?.security).toEqual([{ adminToken: [] }]);
    expect(Object.keys(add?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '404']),
    );
    expect(add?.requestBody?.content['application/json']?.schema).toMatchObject({ required: ['username'] });
  });

  test("the metric parameter quotes docs/METRICS.md's definitions", () => {
    const metric = document.paths['/api/v1/campaigns/{slug}/leaderboard']?.get?.parameters.find(
      (p) => p.name === 'metric',
    );
    const definitions = metricDefinitions();
    expect(metric?.description).toContain(`- \`follower_growth_pct\`: ${definitions.follower_growth_pct}`);
    expect(document.info.description).toContain(`- \`mentions\`: ${definitions.mentions}`);
    expect(() => metricDefinitions('| **posts** | the posts |')).toThrow(
      'docs/METRICS.md defines no metric "reposts"',
    );
  });
});

describe('the answers', () => {
  test('every documented GET answers as documented on the demo campaign', async () => {
    const failures: string[] = [];
    let called = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      const get = methods.get;
      if (!get) continue;
      const [status, success] = Object.entries(get.responses).find(([code]) => code.startsWith('2')) ?? [];
      if (!status || !success?.content) throw new Error(`GET ${path} documents no successful answer`);
      for (const url of urlsOf(path, get.parameters)) {
        called += 1;
        failures.push(...(await checkAnswer(url, success.content, status)));
      }
    }
    expect(failures).toEqual([]);
    // Every export file is one call: the count shows the enum was walked.
    expect(called).toBeGreaterThan(20);
  }, 120_000);

  test('errors are the documented error body', async () => {
    const path = '/api/v1/campaigns/{slug}/leaderboard';
    const responses = document.paths[path]?.get?.responses ?? {};
    const failures = [
      ...(await checkAnswer(
        '/api/v1/campaigns/ogp16/leaderboard?metric=likes',
        responses['400']?.content ?? {},
        '400',
      )),
      ...(await checkAnswer('/api/v1/campaigns/nope/leaderboard', responses['404']?.content ?? {}, '404')),
    ];
    expect(failures).toEqual([]);
  });

  test('an answer missing a field fails the validation', async () => {
    const schema = document.paths['/api/v1/campaigns/{slug}/leaderboard']?.get?.responses['200']?.content?.[
      'application/json'
    ]?.schema as JsonSchema;
    const body = await (await app.request('/api/v1/campaigns/ogp16/leaderboard')).json();
    expect(problems('leaderboard', schema, body)).toEqual([]);
    delete body.rows[0].rankHourAgo;
    expect(problems('leaderboard', schema, body)).toEqual([
      "leaderboard: /rows/0 must have required property 'rankHourAgo'",
    ]);
  });
});

describe('/api/docs', () => {
  test('a page of every operation, from our origin, under the CSP of the pages', async () => {
    const response = await app.request('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toContain('text/html');
    expect(response.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    const html = await response.text();
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) expect(html).toContain(`id="${operation.operationId}"`);
    }
    // Nothing loaded from elsewhere, no inline script or style.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('style=');
  });
});
