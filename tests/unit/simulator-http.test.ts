import { describe, expect, test } from 'vitest';
import type { SimPost } from '../../src/simulator/index.ts';
import {
  AUTH,
  home,
  NOON_DAY_TWO,
  scenario,
  setup,
  TOKEN,
  userByName,
} from '../support/simulator-http-fixture.ts';

describe('auth', () => {
  test.each([
    ['no header', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('%s → X’s exact 401, without rate-limit headers', async (_, headers) => {
    const { app } = setup();
    const res = await app.request('/2/tweets/search/recent?query=%23OGP16', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('x-rate-limit-limit')).toBeNull();
    const text = await res.text();
    expect(text).toBe(
      '{\n  "title": "Unauthorized",\n  "type": "about:blank",\n  "status": 401,\n  "detail": "Unauthorized"\n}',
    );
    expect(Buffer.byteLength(text)).toBe(99);
  });
});

describe('wire shapes', () => {
  test('without field parameters a post is id, text, edit_history_tweet_ids; a user id, name, username', async () => {
    const { get } = setup();
    const search = await get('/2/tweets/search/recent?query=%23OGP16');
    expect(search.status).toBe(200);
    expect(search.body.data).toHaveLength(10);
    for (const post of search.body.data ?? []) {
      expect(Object.keys(post).sort()).toEqual(['edit_history_tweet_ids', 'id', 'text']);
    }
    expect(search.body.includes).toBeUndefined();
    const users = await get('/2/users/by?usernames=OpenData_Forum');
    expect(users.body).toEqual({ data: [{ id: home.id, name: home.name, username: 'OpenData_Forum' }] });
  });

  test('requested fields come with X’s names and values as of the clock', async () => {
    const { get, clock } = setup();
    const fields =
      'tweet.fields=created_at,author_id,public_metrics,entities,referenced_tweets,lang,conversation_id,in_reply_to_user_id' +
      '&expansions=author_id,referenced_tweets.id&user.fields=public_metrics,created_at,profile_image_url,verified,description';
    const { body } = await get(
      `/2/tweets/search/recent?query=%23OGP16%20OR%20%23OGPSummit&max_results=100&${fields}`,
    );
    const byId = new Map(scenario.posts.map((p) => [p.id, p]));
    for (const wire of body.data ?? []) {
      const post = byId.get(String(wire.id)) as SimPost;
      const m = post.metricsAt(clock.now());
      expect(wire.public_metrics).toEqual({
        retweet_count: m.repost,
        reply_count: m.reply,
        like_count: m.like,
        quote_count: m.quote,
        bookmark_count: m.bookmark,
        impression_count: m.impression,
      });
      expect(wire.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
      expect(wire.author_id).toBe(post.authorId);
      expect(wire.conversation_id).toBe(post.conversationId);
      if (post.kind === 'post') expect(wire.referenced_tweets).toBeUndefined();
      else
        expect(wire.referenced_tweets).toEqual([
          { type: post.kind === 'reply' ? 'replied_to' : 'quoted', id: post.referencedId },
        ]);
      if (post.kind === 'reply')
        expect(wire.in_reply_to_user_id).toBe(byId.get(post.referencedId ?? '')?.authorId);
      // Offsets count code points, as X's do (an emoji before a hashtag shifts them by one, not two).
      const chars = Array.from(post.text);
      const entities = wire.entities as {
        hashtags?: Array<{ start: number; end: number; tag: string }>;
        mentions?: Array<{ start: number; end: number; username: string; id: string }>;
      };
      for (const h of entities.hashtags ?? []) expect(chars.slice(h.start, h.end).join('')).toBe(`#${h.tag}`);
      for (const u of entities.mentions ?? []) {
        expect(chars.slice(u.start, u.end).join('')).toBe(`@${u.username}`);
        expect(u.id).toBe(
          userByName(
            scenario.users.find((x) => x.username.toLowerCase() === u.username.toLowerCase())?.username ?? '',
          ).id,
        );
      }
    }
    const authors = new Set((body.data ?? []).map((p) => p.author_id));
    const included = new Set((body.includes?.users ?? []).map((u) => u.id));
    for (const author of authors) expect(included.has(author)).toBe(true);
    const someUser = body.includes?.users?.[0] ?? {};
    expect(Object.keys(someUser.public_metrics as object).sort()).toEqual([
      'followers_count',
      'following_count',
      'listed_count',
      'tweet_count',
    ]);
    expect(body.meta?.result_count).toBe(body.data?.length);
  });

  test('an empty page is just meta with result_count 0', async () => {
    const { get } = setup();
    const { status, body } = await get('/2/tweets/search/recent?query=zzzunheardofword');
    expect(status).toBe(200);
    expect(body).toEqual({ meta: { result_count: 0 } });
  });

  test('unknown routes get a 404 problem', async () => {
    const { app } = setup();
    const res = await app.request('/2/tweets/search/stream', AUTH);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, type: 'about:blank' });
  });
});

describe('invalid requests: 400 with X’s invalid-request body', () => {
  test.each([
    [
      'max_results below 10',
      '/2/tweets/search/recent?query=%23OGP16&max_results=5',
      'The `max_results` query parameter value [5] is not between 10 and 100',
    ],
    [
      'max_results above 100',
      '/2/tweets/search/recent?query=%23OGP16&max_results=101',
      'The `max_results` query parameter value [101] is not between 10 and 100',
    ],
    [
      'an unknown parameter',
      '/2/tweets/search/recent?query=%23OGP16&previous_token=x',
      'The query parameter [previous_token] is not one of [query,start_time,end_time,since_id,until_id,max_results,next_token,pagination_token,sort_order,expansions,tweet.fields,media.fields,poll.fields,place.fields,user.fields]',
    ],
    [
      'a start_time older than 7 days',
      '/2/tweets/search/recent?query=%23OGP16&start_time=2016-11-30T00:00:00Z',
      "Invalid 'start_time':'2016-11-30T00:00:00Z'. 'start_time' must be on or after 2016-12-01T11:00Z",
    ],
    [
      'an end_time under 10 s ago',
      '/2/tweets/search/recent?query=%23OGP16&end_time=2016-12-08T10:59:55Z',
      "'end_time' must be a minimum of 10 seconds prior to the request time.",
    ],
    [
      'a since_id older than 7 days',
      '/2/tweets/search/recent?query=%23OGP16&since_id=100',
      "'since_id' must be a tweet id created after 2016-12-01T11:00Z. Please use a 'since_id' that is larger than",
    ],
    [
      'a query X refuses',
      '/2/tweets/search/recent?query=is%3Areply',
      'There were errors processing your request: is/has/lang cannot be used as a standalone operator (at position 1)',
    ],
    ['a missing query', '/2/tweets/search/recent', 'The `query` query parameter can not be empty'],
    [
      'an unknown field',
      '/2/tweets/search/recent?query=%23OGP16&tweet.fields=colour',
      'The `tweet.fields` query parameter value [colour] is not one of [',
    ],
    [
      'a forged next_token',
      '/2/tweets/search/recent?query=%23OGP16&next_token=abc',
      'The `next_token` query parameter value [abc] is not a valid token',
    ],
    [
      'timeline max_results below 5',
      `/2/users/${home.id}/tweets?max_results=4`,
      'The `max_results` query parameter value [4] is not between 5 and 100',
    ],
    [
      'a bad username',
      '/2/users/by?usernames=no-dashes',
      'The `usernames` query parameter value [no-dashes] does not match ^[A-Za-z0-9_]{1,15}$',
    ],
    [
      '101 usernames',
      `/2/users/by?usernames=${Array.from({ length: 101 }, (_, i) => `u${i}`).join(',')}`,
      'The number of values in the `usernames` query parameter list [101] is not between 1 and 100',
    ],
    [
      'a non-numeric post id',
      '/2/tweets?ids=12,abc',
      'The `ids` query parameter value [abc] does not match ^[0-9]{1,19}$',
    ],
  ])('%s', async (_, path, message) => {
    const { get } = setup();
    const { status, body, res } = await get(path);
    expect(status).toBe(400);
    expect(body).toMatchObject({
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: 'https://api.twitter.com/2/problems/invalid-request',
    });
    expect(body.errors?.map((e) => e.message).join('\n')).toContain(message);
    expect(res.headers.get('x-rate-limit-remaining')).not.toBeNull();
  });
});

describe('search', () => {
  test('never returns reposts, which timelines do return', async () => {
    const reposter = scenario.users.find(
      (u) => scenario.posts.filter((p) => p.authorId === u.id && p.kind === 'repost').length >= 3,
    );
    if (!reposter) throw new Error('no reposter in the scenario');
    const { get } = setup('2016-12-11T00:00:00+01:00');
    const search = await get(`/2/tweets/search/recent?query=from%3A${reposter.username}&max_results=100`);
    const kinds = (search.body.data ?? []).map((w) => scenario.posts.find((p) => p.id === w.id)?.kind);
    expect(kinds).not.toContain('repost');
    const timeline = await get(`/2/users/${reposter.id}/tweets?max_results=100`);
    expect((timeline.body.data ?? []).some((w) => String(w.text).startsWith('RT @'))).toBe(true);
  });

  test('a post is searchable 30 s after it is written, visible to lookups at once', async () => {
    const post = scenario.posts.find(
      (p) => p.kind === 'post' && p.createdAt > new Date(NOON_DAY_TWO),
    ) as SimPost;
    const author = scenario.users.find((u) => u.id === post.authorId);
    const query = `/2/tweets/search/recent?query=from%3A${author?.username}`;
    const { get, clock } = setup(new Date(post.createdAt.getTime() - 5_000).toISOString());
    expect((await get(`/2/tweets?ids=${post.id}`)).body.errors?.[0]).toMatchObject({
      title: 'Not Found Error',
      resource_type: 'tweet',
      parameter: 'ids',
      value: post.id,
      detail: `Could not find tweet with ids: [${post.id}].`,
    });
    clock.advance(15_000);
    expect((await get(`/2/tweets?ids=${post.id}`)).body.data?.[0]?.id).toBe(post.id);
    expect((await get(query)).body.data?.map((w) => w.id) ?? []).not.toContain(post.id);
    clock.advance(30_000);
    expect((await get(query)).body.data?.[0]?.id).toBe(post.id);
  });

  test('reaches back 7 days only', async () => {
    const { get } = setup('2016-12-15T12:00:00+01:00');
    const { body } = await get('/2/tweets/search/recent?query=%23OGP16&max_results=100');
    const reach = new Date('2016-12-08T11:00:00Z');
    expect(body.data?.length).toBeGreaterThan(0);
    for (const wire of body.data ?? []) {
      expect(scenario.posts.find((p) => p.id === wire.id)?.createdAt.getTime()).toBeGreaterThanOrEqual(
        reach.getTime(),
      );
    }
  });
});

describe('lookups', () => {
  test('users by usernames: case-insensitive, unknown ones as partial errors with HTTP 200', async () => {
    const { get } = setup();
    const { status, body } = await get(
      '/2/users/by?usernames=opendata_forum,NoSuchUser42&user.fields=public_metrics',
    );
    expect(status).toBe(200);
    expect(body.data).toEqual([
      {
        id: home.id,
        name: home.name,
        username: 'OpenData_Forum',
        public_metrics: {
          followers_count: home.followersAt(new Date(NOON_DAY_TWO)),
          following_count: home.followingCount,
          tweet_count: home.postCountAt(new Date(NOON_DAY_TWO)),
          listed_count: home.listedCount,
        },
      },
    ]);
    expect(body.errors).toEqual([
      {
        value: 'NoSuchUser42',
        detail: 'Could not find user with usernames: [NoSuchUser42].',
        title: 'Not Found Error',
        resource_type: 'user',
        parameter: 'usernames',
        resource_id: 'NoSuchUser42',
        type: 'https://api.twitter.com/2/problems/resource-not-found',
      },
    ]);
    expect(body.meta).toBeUndefined();
  });

  test('nothing resolved: errors alone', async () => {
    const { get } = setup();
    expect(Object.keys((await get('/2/users/by?usernames=Nobody1')).body)).toEqual(['errors']);
    expect(Object.keys((await get('/2/users/by/username/Nobody1')).body)).toEqual(['errors']);
    expect(Object.keys((await get('/2/users?ids=42')).body)).toEqual(['errors']);
    expect(Object.keys((await get('/2/tweets?ids=42')).body)).toEqual(['errors']);
  });

  test('single lookups return one object', async () => {
    const { get } = setup();
    expect((await get('/2/users/by/username/OPENDATA_FORUM')).body.data).toMatchObject({ id: home.id });
    expect((await get(`/2/users/${home.id}`)).body.data).toMatchObject({ username: 'OpenData_Forum' });
    expect((await get(`/2/users?ids=${home.id},42`)).body.errors?.[0]).toMatchObject({
      parameter: 'ids',
      value: '42',
    });
    const post = scenario.posts[3] as SimPost;
    expect((await get(`/2/tweets/${post.id}`)).body.data).toEqual({
      id: post.id,
      text: post.text,
      edit_history_tweet_ids: [post.id],
    });
  });
});

describe('timelines', () => {
  test('walk with pagination_token: every post of the user up to now, newest first, reposts included', async () => {
    const { get, clock } = setup('2016-12-10T12:00:00+01:00');
    const expected = scenario.posts
      .filter((p) => p.authorId === home.id && p.createdAt <= clock.now())
      .map((p) => p.id)
      .reverse();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { body } = await get(
        `/2/users/${home.id}/tweets?max_results=7${token ? `&pagination_token=${token}` : ''}`,
      );
      seen.push(...(body.data ?? []).map((w) => String(w.id)));
      expect(body.meta?.previous_token).toBeDefined();
      token = body.meta?.next_token;
      pages++;
    } while (token && pages < 1000);
    expect(seen).toEqual(expected);
  });

  test('previous_token pages back towards newer posts', async () => {
    const { get } = setup('2016-12-10T12:00:00+01:00');
    const first = await get(`/2/users/${home.id}/tweets?max_results=5`);
    const second = await get(
      `/2/users/${home.id}/tweets?max_results=5&pagination_token=${first.body.meta?.next_token}`,
    );
    const back = await get(
      `/2/users/${home.id}/tweets?max_results=5&pagination_token=${second.body.meta?.previous_token}`,
    );
    expect(back.body.data?.map((w) => w.id)).toEqual(first.body.data?.map((w) => w.id));
  });

  test('exclude=replies,retweets leaves original posts and quotes', async () => {
    const { get } = setup('2016-12-10T12:00:00+01:00');
    const { body } = await get(
      `/2/users/${home.id}/tweets?max_results=100&exclude=replies,retweets&tweet.fields=referenced_tweets`,
    );
    const types = (body.data ?? []).flatMap((w) =>
      ((w.referenced_tweets as Array<{ type: string }> | undefined) ?? []).map((r) => r.type),
    );
    expect(types.every((t) => t === 'quoted')).toBe(true);
    expect(body.meta?.result_count).toBe(body.data?.length);
  });

  test('an unknown user: a partial error, and meta so paginators stay usable', async () => {
    const { get } = setup();
    const { status, body } = await get('/2/users/12345/tweets');
    expect(status).toBe(200);
    expect(body.errors?.[0]).toMatchObject({ parameter: 'id', value: '12345', resource_type: 'user' });
    expect(body.meta).toEqual({ result_count: 0 });
  });
});

describe('rate limits', () => {
  test('429 once the window is spent, with headers; a fresh window 15 minutes later', async () => {
    let realMs = Date.parse('2030-01-01T00:00:00Z');
    const { get } = setup(NOON_DAY_TWO, { tweets: 2 }, () => realMs);
    const path = `/2/tweets?ids=${scenario.posts[0]?.id}`;
    const first = await get(path);
    expect(first.res.headers.get('x-rate-limit-limit')).toBe('2');
    expect(first.res.headers.get('x-rate-limit-remaining')).toBe('1');
    const reset = Number(first.res.headers.get('x-rate-limit-reset'));
    expect(reset).toBe(realMs / 1000 + 900);
    await get(path);
    const third = await get(path);
    expect(third.status).toBe(429);
    expect(third.body).toEqual({
      title: 'Too Many Requests',
      type: 'about:blank',
      status: 429,
      detail: 'Too Many Requests',
    });
    expect(third.res.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(Number(third.res.headers.get('x-rate-limit-reset'))).toBe(reset);
    // Other endpoints keep their own budget.
    expect((await get('/2/users/by?usernames=OpenData_Forum')).status).toBe(200);
    realMs += 15 * 60 * 1000;
    expect((await get(path)).status).toBe(200);
  });
});
