import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { XClient } from '../../src/x/client.ts';
import { XTransientError } from '../../src/x/errors.ts';

/**
 * The real client against an HTTP server that answers one crafted body: shapes the simulator never
 * sends because X never should, but a collector must not take for something else.
 */
let server: Server;
let body = '';
let x: XClient;

beforeAll(async () => {
  server = createServer((_request, response) => {
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
  x = new XClient({ bearerToken: 'a-bearer-token-for-this-test', baseUrl: `http://127.0.0.1:${port}/2/` });
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
