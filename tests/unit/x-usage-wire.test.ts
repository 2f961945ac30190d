import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { costMicros, formatUsd, publishedPrices } from '../../src/budget/prices.ts';
import { countsWire, usageWire } from '../../src/networks/x/usage-wire.ts';

// Real captured X API v2 bodies (see each fixture's .source.txt).
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/x-api/${name}.json`, import.meta.url), 'utf8'));

describe('billing endpoints on real captures', () => {
  test('usage numbers arrive as strings and are read as numbers', () => {
    expect(usageWire.parse(fixture('usage_tweets_default_fields')).data).toMatchObject({
      project_cap: 2_000_000,
      project_usage: 2007,
      cap_reset_day: 10,
    });
  });

  test('integers, as the spec has them, are read too; anything else is refused', () => {
    expect(usageWire.parse({ data: { project_cap: 10, project_usage: 3 } }).data.project_usage).toBe(3);
    expect(usageWire.safeParse({ data: { project_cap: '2M', project_usage: '1' } }).success).toBe(false);
    expect(usageWire.safeParse({ data: { project_usage: '1' } }).success).toBe(false);
  });

  test('counts: every bucket, with the classic or the 2026 name', () => {
    const raw = fixture('counts_recent_hourly');
    const counts = countsWire.parse(raw);
    expect(counts.data).toHaveLength(raw.data.length);
    expect(counts.data.reduce((sum, b) => sum + (b.tweet_count ?? 0), 0)).toBe(raw.meta.total_tweet_count);
    const renamed = countsWire.parse({
      data: [{ start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', post_count: 7 }],
    });
    expect(renamed.data[0]?.post_count).toBe(7);
    expect(
      countsWire.safeParse({ data: [{ start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' }] })
        .success,
    ).toBe(false);
  });
});

describe('cost', () => {
  test.each([
    ['a page of 100 posts and 100 authors', { posts: 100, users: 100 }, 1_500_000, '$1.50'],
    ['one counts request', { posts: 0, users: 0, countsRequests: 1 }, 5000, '$0.005'],
    ['nothing billed', { posts: 0, users: 0 }, 0, '$0.00'],
    ['three posts (no floating-point drift)', { posts: 3, users: 0 }, 15_000, '$0.015'],
    ['a month of reads', { posts: 2_000_000, users: 10_000 }, 10_100_000_000, '$10,100.00'],
  ])('%s', (_case, reads, micros, text) => {
    expect(costMicros(publishedPrices, reads)).toBe(micros);
    expect(formatUsd(micros)).toBe(text);
  });
});
