import { afterAll, expect, test } from 'vitest';
import { BlueskyClient } from '../../src/networks/bluesky/client.ts';
import { spawnTracker, stopProcess, type TrackerProcess } from '../support/processes.ts';
import { eventually } from '../support/services.ts';

/** `tracker simulate --network bluesky` as a user runs it: the printed login is what the stand-in accepts. */

let simulate: TrackerProcess | undefined;

afterAll(async () => {
  if (simulate) await stopProcess(simulate.child);
});

test('the printed base URL, identifier and app password open a session and find the forum', {
  timeout: 90_000,
}, async () => {
  simulate = spawnTracker(
    ['simulate', '--network', 'bluesky', '--scenario', 'forum26-small', '--port', '0'],
    {},
  );
  const output = await eventually<string>(
    async () => (/^scenario /m.test(simulate?.output() ?? '') ? simulate?.output() : undefined),
    {
      what: 'tracker simulate --network bluesky',
      timeoutMs: 60_000,
    },
  );
  const baseUrl = /^Bluesky stand-in on (http:\/\/\S+)$/m.exec(output)?.[1];
  const identifier = /^identifier: (\S+)$/m.exec(output)?.[1];
  const appPassword = /^app password: (\S+)$/m.exec(output)?.[1];
  expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(appPassword).toMatch(/^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/);
  if (!baseUrl || !identifier || !appPassword) throw new Error(`unexpected output:\n${output}`);

  const client = new BlueskyClient({ identifier, appPassword, service: baseUrl, publicApi: baseUrl });
  const [home] = (await client.getProfiles(['opendataforum.bsky.social'])).found;
  expect(home).toMatchObject({ network: 'bluesky', handle: 'opendataforum.bsky.social' });
  // The replay starts at the window's first instant, 2026-12-07 in Paris: posts of the eve are there.
  const page = await client.searchPosts({ query: '#OGP16', limit: 10 });
  expect(page.posts.length).toBeGreaterThan(0);
  for (const post of page.posts)
    expect(post.createdAt.getTime()).toBeLessThanOrEqual(Date.parse('2026-12-07T00:00:00+01:00') + 60_000);
  const wrong = new BlueskyClient({
    identifier,
    appPassword: 'aaaa-bbbb-cccc-dddd',
    service: baseUrl,
    publicApi: baseUrl,
  });
  await expect(wrong.searchPosts({ query: '#OGP16' })).rejects.toThrow(/refused a session/);
});
