import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ErrorJson } from '../../dashboard/api-contract.ts';
import { createDashboard, type Dashboard } from '../../dashboard/server/app.ts';
import { serveDashboard } from '../../dashboard/server/serve.ts';
import { ManualClock } from '../../src/clock.ts';
import { accountRow, applyOgp16 } from '../support/campaign-fixture.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

const clock = new ManualClock('2016-12-08T12:00:00+01:00');
const token = 'security-test-admin-token-0123456789';
let t: TestDatabase;
let app: Dashboard;

beforeAll(async () => {
  t = await createTestDatabase();
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await t.db
    .insertInto('accounts')
    .values(accountRow('100', 'OpenData_Forum', seenAt, 'Open Data Forum'))
    .execute();
  await applyOgp16(t.db, seenAt);
  app = createDashboard({ db: t.db, clock, demo: false, log: silentLog, adminToken: token });
});

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const pages = ['/', '/campaigns/ogp16', '/campaigns/ogp16/accounts/OpenData_Forum', '/ops', '/no/such/page'];
const machine = [
  '/api/v1/campaigns',
  '/api/v1/campaigns/ogp16/leaderboard',
  '/healthz',
  '/readyz',
  '/metrics',
];

describe('CORS is closed', () => {
  test.each([...pages, ...machine])('%s: no Access-Control-Allow-Origin, even when asked', async (path) => {
    const origin = { Origin: 'https://evil.example' };
    const get = await app.request(path, { headers: origin });
    const preflight = await app.request(path, {
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'POST' },
    });
    for (const response of [get, preflight]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
    expect(preflight.status).not.toBe(204);
  });

  test('a cross-origin write is refused like any write without the token', async () => {
    const response = await app.request('/api/v1/campaigns/ogp16/pause', {
      method: 'POST',
      headers: { Origin: 'https://evil.example' },
    });
    expect(response.status).toBe(401);
  });
});

describe('content security policy: our own scripts only', () => {
  test.each(pages)('%s', async (path) => {
    const response = await app.request(path);
    const policy = response.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      policy.split(';').map((part) => {
        const [name = '', ...values] = part.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');

    // Every script is a file of ours or inert JSON; no inline handlers, no javascript: URLs.
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1] ?? '');
    for (const attributes of scripts) {
      const external = /\bsrc="\/assets\/app\.[0-9a-f]+\.js"/.test(attributes);
      const data = /\btype="application\/json"/.test(attributes);
      expect(external || data, `inline script <script${attributes}>`).toBe(true);
    }
    expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/(?:href|src)="\s*javascript:/i);
  });

  test('the bundle needs no eval', async () => {
    const page = await (await app.request('/campaigns/ogp16')).text();
    const script = /src="(\/assets\/app\.[0-9a-f]+\.js)"/.exec(page)?.[1] ?? '';
    const code = await (await app.request(script)).text();
    expect(code.length).toBeGreaterThan(1000);
    expect(code).not.toMatch(/\beval\(|new Function\(/);
  });
});

describe('rate limit on /api/v1', () => {
  test('429 with the JSON error shape and Retry-After once a client spends its bucket', async () => {
    const limited = createDashboard({ db: t.db, clock, demo: false, rateLimit: { perMinute: 6, burst: 3 } });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await limited.request('/api/v1/campaigns')).status).toBe(200);
      }
      const refused = await limited.request('/api/v1/campaigns/ogp16/leaderboard');
      expect(refused.status).toBe(429);
      const body = (await refused.json()) as ErrorJson;
      expect(body.error.code).toBe('rate_limited');
      expect(body.error.message).toContain('at most 6 a minute');
      // One token every 10 s at 6 a minute.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      // Writes count too; pages, probes and event streams do not.
      expect((await limited.request('/api/v1/campaigns/ogp16/pause', { method: 'POST' })).status).toBe(429);
      expect((await limited.request('/campaigns/ogp16')).status).toBe(200);
      expect((await limited.request('/healthz')).status).toBe(200);
      expect((await limited.request('/api/v1/campaigns/ogp16/events')).status).toBe(503);
    } finally {
      await limited.close();
    }
  });

  test('clients are told apart by their address', async () => {
    const limited = createDashboard({ db: t.db, clock, demo: false, rateLimit: { perMinute: 2 } });
    const server = await serveDashboard(limited, { port: 0, hostname: '127.0.0.1' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/api/v1/campaigns`)).status);
      expect(statuses).toEqual([200, 200, 429]);
      // app.request() has no socket: another "client" as far as the limiter knows, with its own bucket.
      expect((await limited.request('/api/v1/campaigns')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  test('the default is generous: a page view and its refreshes stay far below it', async () => {
    for (let i = 0; i < 40; i++) {
      expect((await app.request('/api/v1/campaigns')).status).toBe(200);
    }
  });
});

describe('the admin token', () => {
  test.each([
    ['empty', ''],
    ['a prefix', token.slice(0, 8)],
    ['one character off', `${token.slice(0, -1)}X`],
    ['longer', `${token}${token}`],
    ['other case', token.toUpperCase()],
  ])('%s: 403, the same answer whatever the guess', async (_, guess) => {
    const response = await app.request('/api/v1/campaigns/ogp16/pause', {
      method: 'POST',
      headers: { Authorization: `Bearer ${guess}` },
    });
    const body = (await response.json()) as ErrorJson;
    // An empty Bearer value is no credentials at all (401); every wrong value is the same 403.
    if (guess === '') expect(response.status).toBe(401);
    else expect(body.error).toEqual({ code: 'forbidden', message: 'the admin token is wrong' });
    expect(JSON.stringify(body)).not.toContain(token);
  });
});
