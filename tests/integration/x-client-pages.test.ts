import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { XClient } from '../../src/networks/x/client.ts';
import { XTransientError } from '../../src/networks/x/errors.ts';

/**
 * The real client against an HTTP server that answers one crafted body: shapes the simulator never
 * sends because X never should, but a collector must not take for something else.
 */
let server: Server;
let body = '';
/** how long the server holds its answer back */
let holdMs = 0;
let x: XClient;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(async (_request, response) => {
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    if (response.destroyed) return;
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-rate-limit-limit': '450',
      'x-rate-limit-remaining': '449',
      'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 900),
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/2/`;
  x = new XClient({ bearerToken: 'a-bearer-token-for-this-test', baseUrl });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const post = { id: '1', text: 'hello #OGP16', author_id: '2', created_at: '2016-12-07T10:00:00.000Z' };

describe('search pages', () => {
  test('an empty page is just its meta: the end of the walk', async () => {
    body = JSON.stringify({ meta: { result_count: 0 } });
    expect(await x.searchRecent({ query: '#OGP16' })).toMatchObject({ posts: [], nextToken: null });
  });

  test('a page with posts but no meta is an error to retry, never the end of the walk', async () => {
    body = JSON.stringify({ data: [post], includes: { users: [{ id: '2', username: 'a', name: 'A' }] } });
    const failure = await x.searchRecent({ query: '#OGP16' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(XTransientError);
    expect(String(failure)).toMatch(/without meta/);
  });
});

describe('timeouts (X_TIMEOUT_MS)', () => {
  test('an answer slower than the timeout is abandoned as a transient failure, to be retried', async () => {
    body = JSON.stringify({ meta: { result_count: 0 } });
    holdMs = 2000;
    try {
      const impatient = new XClient({ bearerToken: 'a-bearer-token-for-this-test', baseUrl, timeoutMs: 200 });
      const started = Date.now();
      const failure = await impatient.searchRecent({ query: '#OGP16' }).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(failure).toBeInstanceOf(XTransientError);
      expect(String(failure)).toMatch(/unreachable|timed? ?out/i);
    } finally {
      holdMs = 0;
    }
  });
});
