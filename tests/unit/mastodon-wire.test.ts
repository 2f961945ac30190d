import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { statusHome } from '../../src/networks/mastodon/home.ts';
import { htmlToText } from '../../src/networks/mastodon/html.ts';
import {
  MastodonInstanceError,
  parseInstance,
  parseMastodonTokens,
} from '../../src/networks/mastodon/instances.ts';
import { parseLinkHeader } from '../../src/networks/mastodon/link.ts';
import { qualifiedHandle, toNetworkAccount, toNetworkPosts } from '../../src/networks/mastodon/map.ts';
import { accountWire, statusWire } from '../../src/networks/mastodon/wire.ts';

/** Real Mastodon answers (see /work/shared/mastodon-api/README.md), copied under tests/fixtures/mastodon-api. */
const capture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/mastodon-api/${name}`, import.meta.url), 'utf8'));

describe('parseInstance', () => {
  test.each([
    ['mastodon.social', 'https://mastodon.social/', 'mastodon.social'],
    ['Mastodon.Social', 'https://mastodon.social/', 'mastodon.social'],
    ['http://127.0.0.1:4200/', 'http://127.0.0.1:4200/', '127.0.0.1:4200'],
    ['http://127.0.0.1:4200', 'http://127.0.0.1:4200/', '127.0.0.1:4200'],
    [
      'http://127.0.0.1:4200/i/mastodon.social/',
      'http://127.0.0.1:4200/i/mastodon.social/',
      '127.0.0.1:4200/i/mastodon.social',
    ],
    [
      'http://127.0.0.1:4200/i/mastodon.social',
      'http://127.0.0.1:4200/i/mastodon.social/',
      '127.0.0.1:4200/i/mastodon.social',
    ],
    ['localhost:3000', 'https://localhost:3000/', 'localhost:3000'],
  ])('%s → %s (%s)', (value, baseUrl, name) => {
    expect(parseInstance(value)).toEqual({ baseUrl, name });
  });

  test.each([['ftp://x.org/'], ['https://x.org/?a=1'], ['https://me:pw@x.org/'], ['not an instance'], ['']])(
    'refuses %j with one clear line',
    (value) => {
      expect(() => parseInstance(value)).toThrow(MastodonInstanceError);
    },
  );
});

describe('parseMastodonTokens', () => {
  test('host names and base URLs, keyed by base URL', () => {
    const tokens = parseMastodonTokens(' mastodon.social=abc, http://127.0.0.1:4200/i/gov.example/=d=ef ,');
    expect([...tokens]).toEqual([
      ['https://mastodon.social/', 'abc'],
      ['http://127.0.0.1:4200/i/gov.example/', 'd=ef'],
    ]);
    expect(parseMastodonTokens(undefined).size).toBe(0);
    expect(parseMastodonTokens('  ').size).toBe(0);
  });

  test.each([['mastodon.social'], ['=abc'], ['mastodon.social='], ['a.org=x,A.org=y'], ['a.org=x y']])(
    'refuses %j without echoing a token',
    (setting) => {
      expect(() => parseMastodonTokens(setting)).toThrow(MastodonInstanceError);
      try {
        parseMastodonTokens(setting);
      } catch (error) {
        expect(String(error)).not.toMatch(/\b(abc|x y)\b/);
      }
    },
  );
});

describe('htmlToText', () => {
  test.each([
    ['<p>Toot!</p>', 'Toot!'],
    ['<p>a</p><p>b<br>c</p>', 'a\n\nb\nc'],
    ['<p>I&#39;m &amp; &lt;b&gt; &#x1F600;</p>', "I'm & <b> 😀"],
    [
      '<p><a href="http://x/tags/hoot" class="mention hashtag" rel="tag">#<span>hoot</span></a> (hashtag toot)</p>',
      '#hoot (hashtag toot)',
    ],
    [
      '<p class="quote-inline">RE: <a href="http://x/@a/1"><span class="invisible">http://</span><span>x/@a/1</span></a></p><p>yoooooooo</p>',
      'yoooooooo',
    ],
    ['<script>alert(1)</script>hi', 'alert(1)hi'],
    ['a <b unterminated', 'a'],
    ['&#0; &#xD800; &bogus;', '\ufffd \ufffd &bogus;'],
  ])('%j → %j', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

test('parseLinkHeader reads the captured tag timeline Link', () => {
  const links = parseLinkHeader(
    '<http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701>; rel="next", <http://localhost:3000/api/v1/timelines/tag/hoot?min_id=117020593741189701>; rel="prev"',
  );
  expect(links.get('next')).toBe('http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701');
  expect(links.get('prev')).toBe('http://localhost:3000/api/v1/timelines/tag/hoot?min_id=117020593741189701');
  expect(parseLinkHeader(null).size).toBe(0);
});

describe('statusHome', () => {
  test.each([
    [
      'https://mastodon.social/users/Gargron/statuses/103270115826048975',
      null,
      { host: 'mastodon.social', id: '103270115826048975' },
    ],
    [
      'http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701',
      null,
      { host: 'localhost:3000', id: '117020593741189701' },
    ],
    ['https://letsalllovela.in/objects/e9cebb0c', 'https://letsalllovela.in/objects/e9cebb0c', null],
    ['https://x.org/users/a/statuses/1/activity', null, null],
    ['tag:x.org,2020:objectId=1', 'https://x.org/@a/42', { host: 'x.org', id: '42' }],
  ])('%s', (uri, url, home) => {
    expect(statusHome(uri, url)).toEqual(home);
  });
});

describe('wire → domain on real captures', () => {
  test('a tag timeline status by a local account: qualified handle, hashtags, counts', () => {
    const [status] = capture('timelines-tag.real-mastopy-hoot.json') as unknown[];
    const wire = statusWire.parse(status);
    const [post] = toNetworkPosts(wire, () => undefined);
    expect(post).toMatchObject({
      network: 'mastodon',
      id: 'http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701',
      authorId: 'http://localhost:3000/ap/users/117020566092212359',
      kind: 'post',
      text: '#hoot (hashtag toot)',
      lang: 'ja',
      hashtags: ['hoot'],
      counts: { like: 0, repost: 0, reply: 0, quote: 0, bookmark: null, impression: null },
    });
    expect(toNetworkAccount(wire.account, 'LocalHost:3000').handle).toBe('mastodonpy_test_2@localhost:3000');
  });

  test('a boost is a repost of the boosted status, which comes with it', () => {
    const posts = toNetworkPosts(
      statusWire.parse(capture('status-reblog.real-mastopy.json')),
      () => undefined,
    );
    expect(posts.map((post) => [post.kind, post.id, post.referencedPostId])).toEqual([
      [
        'repost',
        'http://localhost:3000/ap/users/117020565966271181/statuses/117020586027094262/activity',
        'http://localhost:3000/ap/users/117020565966271181/statuses/117020586019094258',
      ],
      ['post', 'http://localhost:3000/ap/users/117020565966271181/statuses/117020586019094258', null],
    ]);
    expect(posts[1]?.counts.repost).toBe(1);
  });

  test('a quote (4.5) is a quote of the quoted uri, even when it replies; the RE: line is not text', () => {
    const [quote] = toNetworkPosts(
      statusWire.parse(capture('status-with-quote.real-mastopy.json')),
      () => undefined,
    );
    expect(quote?.kind).toBe('quote');
    expect(quote?.referencedPostId).toMatch(
      /^http:\/\/localhost:3000\/ap\/users\/\d+\/statuses\/117020582917124092$/,
    );
    expect(quote?.text).toBe('yoooooooo');
    const [both] = toNetworkPosts(
      statusWire.parse(capture('status-reply-with-quote.real-mastopy.json')),
      () => undefined,
    );
    expect(both?.kind).toBe('quote');
  });

  test('mentions become account uris through the resolver; unknown ones are left out', () => {
    const remote = statusWire.parse(capture('status.docs-streaming-remote-reply-with-mention.json'));
    const resolved = toNetworkPosts(
      { ...remote, account: { ...remote.account, uri: 'https://letsalllovela.in/users/freon' } },
      (m) => (m.acct === 'disarray@pl.nulled.red' ? 'https://pl.nulled.red/users/disarray' : undefined),
    );
    expect(resolved[0]).toMatchObject({ kind: 'reply', mentions: ['https://pl.nulled.red/users/disarray'] });
    const [unresolved] = toNetworkPosts(
      { ...remote, account: { ...remote.account, uri: 'https://l/users/f' } },
      () => undefined,
    );
    expect(unresolved?.mentions).toEqual([]);
  });

  test('accounts: remote acct keeps its domain; the note becomes plain text', () => {
    const account = toNetworkAccount(
      accountWire.parse({
        ...(capture('account.docs-Account-example.json') as object),
        uri: 'https://awoo.space/users/noiob',
      }),
      'mastodon.social',
    );
    expect(account.handle).toBe('noiob@awoo.space');
    expect(account.description ?? '').not.toMatch(/[<>]/);
    expect(account.counts?.listed).toBeNull();
    expect(qualifiedHandle('OpenDataForum@Mastodon.Social', 'x')).toBe('OpenDataForum@mastodon.social');
  });
});
