import { describe, expect, test } from 'vitest';
import type { PostKind, SimPost, SimUser } from '../../src/simulator/index.ts';
import { compileQuery, parseQuery, QuerySyntaxError } from '../../src/simulator/index.ts';
import { postTarget } from '../../src/simulator/x/query/match.ts';

function user(username: string, id: string, verified = false): SimUser {
  return {
    id,
    username,
    name: username,
    description: '',
    profileImageUrl: '',
    createdAt: new Date('2015-01-01T00:00:00Z'),
    verified,
    followingCount: 0,
    listedCount: 0,
    followersAt: () => 0,
    postCountAt: () => 0,
  };
}

const forum = user('OpenData_Forum', '100');
const peer = user('Veltara_Open', '200', true);

function post(text: string, kind: PostKind = 'post', lang = 'en'): SimPost {
  return {
    id: '1',
    authorId: forum.id,
    createdAt: new Date('2016-12-07T10:00:00Z'),
    text,
    lang,
    kind,
    conversationId: '1',
    hashtags: [...text.matchAll(/#(\w+)/g)].map((m) => m[1] ?? ''),
    mentions: [...text.matchAll(/@(\w+)/g)].map((m) => m[1] ?? ''),
    metricsAt: () => ({ like: 0, repost: 0, reply: 0, quote: 0, bookmark: 0, impression: 0 }),
  };
}

/** A post by @OpenData_Forum; replies answer @Veltara_Open. */
function matches(query: string, text: string, kind: PostKind = 'post', lang = 'en'): boolean {
  const p = post(text, kind, lang);
  return compileQuery(query).test(postTarget(p, forum, kind === 'reply' ? peer : undefined));
}

describe('query matching', () => {
  test.each([
    // hashtags: exact tag, any case, never a longer tag or a bare word
    ['#OGP16', 'Great panel #OGP16', true],
    ['#OGP16', 'Great panel #ogp16!', true],
    ['#ogp16', 'Great panel #OGP16', true],
    ['#OGP16', 'Great panel #OGP16fr', false],
    ['#OGP16', 'Great panel at OGP16', false],
    ['#OGP16', 'Great panel #OGP2016', false],
    // keywords: tokenised, case-insensitive, they also see the words inside hashtags
    ['panel', 'Great PANEL #OGP16', true],
    ['ogp16', 'Great panel #OGP16', true],
    ['pan', 'Great panel', false],
    ['open-data', 'all about open data', true],
    ['"open data"', 'all about open data', true],
    ['"data open"', 'all about open data', false],
    // implicit AND, OR, precedence (AND binds tighter), parentheses, negation
    ['#OGP16 panel', 'Great panel #OGP16', true],
    ['#OGP16 workshop', 'Great panel #OGP16', false],
    ['#OGP16 OR #OGPSummit', 'Day two #OGPSummit', true],
    ['#OGP16 OR #OGPSummit', 'Day two #Paris', false],
    ['workshop panel OR great', 'Great day', true],
    ['workshop (panel OR great)', 'Great day', false],
    ['#OGP16 -panel', 'Great panel #OGP16', false],
    ['#OGP16 -(panel OR workshop)', 'Great talk #OGP16', true],
    // operators
    ['from:opendata_forum', 'anything', true],
    ['from:100', 'anything', true],
    ['from:Veltara_Open', 'anything', false],
    ['@veltara_open', 'thanks @Veltara_Open', true],
    ['@veltara_open', 'thanks Veltara_Open', false],
    ['#OGP16 lang:fr', 'Belle session #OGP16', false],
  ])('%s on "%s" → %s', (query, text, expected) => {
    expect(matches(query, text)).toBe(expected);
  });

  test.each([
    ['#OGP16 -is:retweet', 'repost', false],
    ['#OGP16 -is:retweet', 'post', true],
    ['#OGP16 is:reply', 'reply', true],
    ['#OGP16 is:reply', 'quote', false],
    ['#OGP16 is:quote', 'quote', true],
    ['#OGP16 to:veltara_open', 'reply', true],
    ['#OGP16 to:veltara_open', 'post', false],
  ] as const)('%s on a %s → %s', (query, kind, expected) => {
    expect(matches(query, 'Day one #OGP16', kind)).toBe(expected);
  });

  test('lang: compares the post language', () => {
    expect(matches('#OGP16 lang:fr', 'Belle session #OGP16', 'post', 'fr')).toBe(true);
  });
});

describe('query syntax X refuses', () => {
  test.each([
    ['is:reply', 'is/has/lang cannot be used as a standalone operator (at position 1)'],
    ['-is:retweet lang:en', 'is/has/lang cannot be used as a standalone operator (at position 1)'],
    ['-panel', 'Rules must contain at least one positive, non-stopword clause (at position 1)'],
    ['panel AND talk', 'Ambiguous use of and as a keyword'],
    ['(panel OR talk', 'Missing closing parenthesis (at position 1)'],
    ['panel) talk', "missing EOF at ')' (at position 6)"],
    ['panel OR', "no viable alternative at input '<EOF>'"],
    ['has:polls #OGP16', "Reference to invalid operator 'has:polls'"],
    ['foo:bar', "Reference to invalid operator 'foo:bar'"],
    ['"open data', 'Missing closing quote'],
  ])('%s', (query, message) => {
    expect(() => parseQuery(query)).toThrow(QuerySyntaxError);
    expect(() => parseQuery(query)).toThrow(message);
  });

  test('the message is prefixed as X prefixes it', () => {
    expect(() => parseQuery('is:quote')).toThrow(/^There were errors processing your request: /);
  });
});

describe('query tree', () => {
  test('AND binds tighter than OR', () => {
    expect(parseQuery('a b OR c')).toEqual({
      type: 'or',
      children: [
        {
          type: 'and',
          children: [
            { type: 'keyword', tokens: ['a'] },
            { type: 'keyword', tokens: ['b'] },
          ],
        },
        { type: 'keyword', tokens: ['c'] },
      ],
    });
  });

  test('the campaign query of the DESIGN parses', () => {
    expect(parseQuery('#OGP16 -is:retweet')).toEqual({
      type: 'and',
      children: [
        { type: 'hashtag', tag: 'ogp16' },
        { type: 'not', child: { type: 'is', value: 'retweet' } },
      ],
    });
  });
});
