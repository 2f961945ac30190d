import { expect, test } from 'vitest';
import { MastodonClient } from '../../src/networks/mastodon/client.ts';
import { parseMastodonTokens } from '../../src/networks/mastodon/instances.ts';
import { spawnTracker, stopProcess } from '../support/processes.ts';

test('tracker simulate --network mastodon: one line per instance, each base URL a working instance', async () => {
  const sim = spawnTracker(
    ['simulate', '--network', 'mastodon', '--port', '0', '--scenario', 'ogp16-small'],
    {},
  );
  try {
    const deadline = Date.now() + 25_000;
    while (!/^scenario /m.test(sim.output()) && Date.now() < deadline && sim.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lines = sim.output().trim().split('\n');
    const instances = lines
      .map((line) => /^instance (\S+): (http:\/\/127\.0\.0\.1:\d+\/i\/\S+\/)$/.exec(line))
      .filter((match) => match !== null);
    expect(instances.map((match) => match[1])).toEqual([
      'mastodon.social',
      'mastodon.green',
      'fosstodon.org',
      'social.munistra.example',
      'toot.civora.example',
    ]);
    const tokens = lines
      .find((line) => line.startsWith('MASTODON_TOKENS='))
      ?.slice('MASTODON_TOKENS='.length);
    const directory = Object.fromEntries(instances.map((match) => [match[1] ?? '', match[2] ?? '']));
    const client = new MastodonClient({ directory, tokens: parseMastodonTokens(tokens) });
    for (const [name, baseUrl] of Object.entries(directory)) {
      expect(await client.localDomain(baseUrl)).toBe(name);
      // The replay starts at the window's first instant: the timelines are open, the closed one by its token.
      await expect(client.tagTimeline(baseUrl, { tags: ['OGP16'] })).resolves.toBeDefined();
    }
    expect(lines.at(-1)).toMatch(/^scenario ogp16-small: \d+ statuses by \d+ Mastodon accounts$/);
  } finally {
    await stopProcess(sim.child);
  }
});

test('tracker simulate --network mastodon serves forum26 by default, as the demo does', async () => {
  const sim = spawnTracker(['simulate', '--network', 'mastodon', '--port', '0'], {});
  try {
    const deadline = Date.now() + 60_000;
    while (!/^scenario /m.test(sim.output()) && Date.now() < deadline && sim.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sim.output().trim().split('\n').at(-1)).toMatch(
      /^scenario forum26: \d+ statuses by \d+ Mastodon accounts$/,
    );
  } finally {
    await stopProcess(sim.child);
  }
});
