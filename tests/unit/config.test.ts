import { describe, expect, test } from 'vitest';
import { clockFrom, systemClock } from '../../src/clock.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  test('defaults describe the demo', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      demo: true,
      REDIS_URL: 'redis://127.0.0.1:6379',
      X_API_BASE_URL: 'https://api.x.com/2/',
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('a token turns the demo off; base URLs get their trailing slash', () => {
    const config = loadConfig({ X_BEARER_TOKEN: 'A'.repeat(40), X_API_BASE_URL: 'http://127.0.0.1:4100/2' });
    expect(config.demo).toBe(false);
    expect(config.X_API_BASE_URL).toBe('http://127.0.0.1:4100/2/');
  });

  test("prices default to X's published pay-per-use prices and can be set", () => {
    expect(loadConfig({})).toMatchObject({
      X_PRICE_POST_READ: 0.005,
      X_PRICE_USER_READ: 0.01,
      X_PRICE_COUNTS_REQUEST: 0.005,
    });
    expect(loadConfig({ X_PRICE_POST_READ: '0.004' }).X_PRICE_POST_READ).toBe(0.004);
  });

  test('Mastodon tokens by instance; Bluesky defaults to the public services', () => {
    const config = loadConfig({ MASTODON_TOKENS: 'mastodon.social=abc,http://127.0.0.1:4200/=def' });
    expect(config.MASTODON_TOKENS).toEqual({ 'mastodon.social': 'abc', 'http://127.0.0.1:4200/': 'def' });
    expect(config).toMatchObject({
      BLUESKY_SERVICE: 'https://bsky.social',
      BLUESKY_PUBLIC_API: 'https://public.api.bsky.app',
    });
  });

  test('empty values count as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.X_TIMEOUT_MS).toBe(30_000);
  });

  test.each([
    ['DATABASE_URL', 'mysql://x@localhost/db', /DATABASE_URL: expected a postgres: or postgresql: URL/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL/],
    ['REDIS_URL', 'http://localhost:6379', /REDIS_URL: expected a redis: or rediss: URL/],
    ['PORT', 'eighty', /PORT: expected a TCP port number/],
    ['PORT', '70000', /PORT: expected a TCP port from 0 to 65535/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['LOG_FORMAT', 'yaml', /LOG_FORMAT/],
    ['MASTODON_TOKENS', 'mastodon.social:abc', /MASTODON_TOKENS: expected instance=token pairs/],
    ['BLUESKY_IDENTIFIER', 'forum.bsky.social', /BLUESKY_APP_PASSWORD: set both BLUESKY_IDENTIFIER and/],
    ['BLUESKY_SERVICE', 'bsky.social', /BLUESKY_SERVICE: expected a http: or https: URL/],
    ['ADMIN_TOKEN', 'short', /ADMIN_TOKEN: expected at least 16 characters/],
    ['X_BEARER_TOKEN', 'abc', /X_BEARER_TOKEN: expected an X app bearer token/],
    ['X_PRICE_POST_READ', 'five cents', /X_PRICE_POST_READ: expected a price in US dollars such as 0.005/],
    ['X_PRICE_USER_READ', '-0.01', /X_PRICE_USER_READ: expected a price in US dollars ≥ 0/],
    ['X_PRICE_COUNTS_REQUEST', '500', /X_PRICE_COUNTS_REQUEST: expected a price in US dollars per read/],
    ['X_TIMEOUT_MS', 'soon', /X_TIMEOUT_MS: expected milliseconds/],
    ['X_TIMEOUT_MS', '5', /X_TIMEOUT_MS: expected at least 100 ms/],
  ])('%s=%s is refused with one line naming it', (name, value, message) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('TRACKER_CLOCK', () => {
  test.each([
    ['fixed:2016-12-10T06:00:00Z', '2016-12-10T06:00:00.000Z'],
    ['replay:2016-12-07T00:00:00+01:00@600', '2016-12-06T23:00:00.000Z'],
  ])('%s', (setting, startsAt) => {
    const clock = clockFrom(loadConfig({ TRACKER_CLOCK: setting }).TRACKER_CLOCK);
    expect(Math.abs(clock.now().getTime() - Date.parse(startsAt))).toBeLessThan(60_000);
  });

  test('unset is the system clock', () => {
    expect(clockFrom(loadConfig({}).TRACKER_CLOCK)).toBe(systemClock);
  });

  test.each(['tomorrow', 'fixed:someday', 'replay:2016-12-07T00:00:00Z'])('%s is refused', (setting) => {
    expect(() => loadConfig({ TRACKER_CLOCK: setting })).toThrow(/TRACKER_CLOCK: expected/);
  });
});
