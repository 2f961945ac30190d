import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Context, Hono } from 'hono';
import type { Clock } from '../../clock.ts';
import type { Scenario } from '../types.ts';
import {
  DEFAULT_MASTODON_INSTANCES,
  DEFAULT_MASTODON_RATE_LIMIT,
  type MastodonInstanceSpec,
} from './instances.ts';
import { InstanceRateLimit } from './rate-limit.ts';
import { renderAccount, renderStatus } from './render.ts';
import { buildMastodonWorld, type MastoAccount, type MastodonWorld, type MastoStatus } from './world.ts';

export interface MastodonSimulatorOptions {
  scenario: Scenario;
  clock: Clock;
  /** Default: DEFAULT_MASTODON_INSTANCES. */
  instances?: readonly MastodonInstanceSpec[];
  /** Requests per window per instance, by domain (default 300). */
  rateLimits?: Readonly<Record<string, number>>;
  /** Length of a rate-limit window in real milliseconds (default 5 minutes). */
  rateLimitWindowMs?: number;
  /** By domain: every n-th request to that instance has its connection dropped without an answer. */
  dropEvery?: Readonly<Record<string, number>>;
  realNow?: () => number;
}

export interface MastodonSimulator {
  app: Hono;
  world: MastodonWorld;
  /** The token each instance accepts (what MASTODON_TOKENS would hold), by domain. */
  tokens: Record<string, string>;
  /** Requests served, by domain. */
  requests(): Record<string, number>;
}

/** Every instance lives under its own path prefix: `/i/<domain>/api/v1/…`. */
export const instancePath = (domain: string) => `/i/${domain}/`;

const NOT_FOUND = { error: 'Record not found' };
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 40;

interface InstanceView {
  spec: MastodonInstanceSpec;
  token: string;
  limiter: InstanceRateLimit;
  /** every copy this instance holds, ascending local id */
  timeline: Array<{ id: bigint; status: MastoStatus }>;
  statusById: Map<string, MastoStatus>;
  accountById: Map<string, MastoAccount>;
  accountByAcct: Map<string, MastoAccount>;
  tags: Set<string>;
  served: number;
}

/**
 * Several Mastodon instances in one Hono app, each with its own partial view of the federated timeline,
 * its own ids, counts (the home copy is current, others lag) and rate limit, for `app.request()` in tests
 * or any server adapter (see server.ts).
 */
export function createMastodonSimulator(options: MastodonSimulatorOptions): MastodonSimulator {
  const instances = options.instances ?? DEFAULT_MASTODON_INSTANCES;
  const world = buildMastodonWorld(options.scenario, instances);
  const realNow = options.realNow ?? Date.now;
  const views = new Map<string, InstanceView>();
  for (const spec of instances) {
    views.set(spec.domain, {
      spec,
      token: `sim-${randomBytes(16).toString('hex')}`,
      limiter: new InstanceRateLimit(
        options.rateLimits?.[spec.domain] ?? DEFAULT_MASTODON_RATE_LIMIT.limit,
        options.rateLimitWindowMs ?? DEFAULT_MASTODON_RATE_LIMIT.windowMs,
        realNow,
      ),
      timeline: [],
      statusById: new Map(),
      accountById: new Map(),
      accountByAcct: new Map(),
      tags: new Set(),
      served: 0,
    });
  }
  const know = (view: InstanceView, account: MastoAccount) => {
    const id = world.localAccountId(account, view.spec.domain);
    const known = view.accountById.get(id);
    if (known && known !== account) throw new Error(`account id ${id} taken twice on ${view.spec.domain}`);
    view.accountById.set(id, account);
    view.accountByAcct.set(
      account.username.toLowerCase() + (account.home === view.spec ? '' : `@${account.home.domain}`),
      account,
    );
  };
  for (const account of world.accounts) {
    const view = views.get(account.home.domain);
    if (view) know(view, account);
  }
  for (const status of world.statuses) {
    for (const domain of status.reached) {
      const view = views.get(domain);
      if (!view) continue;
      const id = world.localStatusId(status, domain);
      if (view.statusById.has(id)) throw new Error(`status id ${id} taken twice on ${domain}`);
      view.statusById.set(id, status);
      view.timeline.push({ id: BigInt(id), status });
      for (const tag of status.tags) view.tags.add(tag);
      for (const account of [
        status.author,
        ...status.mentions,
        ...(status.target ? [status.target.author] : []),
      ]) {
        know(view, account);
      }
      // A boost or quote brings the status it carries along.
      if (status.target && !status.target.reached.has(domain)) {
        const targetId = world.localStatusId(status.target, domain);
        if (!view.statusById.has(targetId)) view.statusById.set(targetId, status.target);
      }
    }
  }
  for (const view of views.values()) view.timeline.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const app = new Hono();
  for (const view of views.values()) {
    const dropEvery = options.dropEvery?.[view.spec.domain] ?? 0;
    app.route(
      instancePath(view.spec.domain).slice(0, -1),
      instanceApp(view, world, options.clock, dropEvery),
    );
  }
  app.notFound((c) => c.json(NOT_FOUND, 404));
  return {
    app,
    world,
    tokens: Object.fromEntries([...views].map(([domain, view]) => [domain, view.token])),
    requests: () => Object.fromEntries([...views].map(([domain, view]) => [domain, view.served])),
  };
}

function instanceApp(view: InstanceView, world: MastodonWorld, clock: Clock, dropEvery: number): Hono {
  const app = new Hono();
  const domain = view.spec.domain;
  app.use('*', async (c, next) => {
    view.served++;
    if (dropEvery > 0 && view.served % dropEvery === 0) return dropConnection(c);
    const verdict = view.limiter.take();
    for (const [name, value] of Object.entries(verdict.headers)) c.header(name, value);
    c.header('Vary', 'Authorization, Origin');
    c.header('Cache-Control', 'private, no-store');
    if (!verdict.allowed) return c.json({ error: 'Too many requests' }, 429);
    await next();
  });
  const visible = (status: MastoStatus | undefined) =>
    status && status.post.createdAt.getTime() <= clock.now().getTime() ? status : undefined;

  app.get('/api/v2/instance', (c) =>
    c.json({
      domain,
      title: domain,
      version: '4.5.0',
      source_url: 'https://github.com/mastodon/mastodon',
      description: `A stand-in for ${domain}`,
    }),
  );

  app.get('/api/v1/timelines/tag/:tag', (c) => {
    if (view.spec.closedTagTimelines && c.req.header('authorization') !== `Bearer ${view.token}`) {
      // Mastodon's answer when an instance keeps hashtag timelines from anonymous readers (docs.joinmastodon.org/methods/timelines).
      return c.json({ error: 'The access token is invalid' }, 401);
    }
    const primary = c.req.param('tag').toLowerCase();
    if (!view.tags.has(primary)) return c.json(NOT_FOUND, 404);
    const lower = (values: string[] | undefined) => (values ?? []).map((value) => value.toLowerCase());
    const any = new Set([primary, ...lower(c.req.queries('any[]'))]);
    const all = lower(c.req.queries('all[]'));
    const none = lower(c.req.queries('none[]'));
    const nowMs = clock.now().getTime();
    return listPage(
      c,
      view.timeline,
      (status) =>
        status.kind !== 'boost' &&
        status.post.createdAt.getTime() <= nowMs &&
        status.tags.some((tag) => any.has(tag)) &&
        all.every((tag) => status.tags.includes(tag)) &&
        !none.some((tag) => status.tags.includes(tag)),
      (status) => renderStatus(world, status, domain, clock.now()),
    );
  });

  app.get('/api/v1/accounts/:id/statuses', (c) => {
    const account = view.accountById.get(c.req.param('id'));
    if (!account) return c.json(NOT_FOUND, 404);
    const nowMs = clock.now().getTime();
    const excludeReblogs = c.req.query('exclude_reblogs') === 'true';
    return listPage(
      c,
      view.timeline,
      (status) =>
        status.author === account &&
        status.post.createdAt.getTime() <= nowMs &&
        !(excludeReblogs && status.kind === 'boost'),
      (status) => renderStatus(world, status, domain, clock.now()),
    );
  });

  app.get('/api/v1/statuses', (c) => {
    const ids = (c.req.queries('id[]') ?? []).slice(0, 20);
    const now = clock.now();
    const found = ids.map((id) => visible(view.statusById.get(id))).filter((status) => status !== undefined);
    return c.json(found.map((status) => renderStatus(world, status, domain, now)));
  });

  app.get('/api/v1/statuses/:id', (c) => {
    const status = visible(view.statusById.get(c.req.param('id')));
    return status ? c.json(renderStatus(world, status, domain, clock.now())) : c.json(NOT_FOUND, 404);
  });

  app.get('/api/v1/accounts/lookup', (c) => {
    const acct = (c.req.query('acct') ?? '').replace(/^@/, '').toLowerCase();
    // Like Mastodon, the instance's own domain in `acct` means a local account.
    const local = acct.endsWith(`@${domain}`) ? acct.slice(0, -domain.length - 1) : acct;
    const account = view.accountByAcct.get(local);
    return account ? c.json(renderAccount(world, account, domain, clock.now())) : c.json(NOT_FOUND, 404);
  });

  app.get('/api/v1/accounts/:id', (c) => {
    const account = view.accountById.get(c.req.param('id'));
    return account ? c.json(renderAccount(world, account, domain, clock.now())) : c.json(NOT_FOUND, 404);
  });
  return app;
}

/**
 * A page of a timeline as Mastodon pages them: newest first; `max_id` below, `since_id` above (newest),
 * `min_id` just above (oldest first, listed newest first); `Link` with `next` only after a full page and
 * `prev` whenever there was something, other query parameters kept.
 */
function listPage(
  c: Context,
  timeline: ReadonlyArray<{ id: bigint; status: MastoStatus }>,
  keep: (status: MastoStatus) => boolean,
  render: (status: MastoStatus) => object,
) {
  const limit = limitOf(c.req.query('limit'));
  const cursor = (name: string) => {
    const value = c.req.query(name);
    return value && /^\d{1,20}$/.test(value) ? BigInt(value) : undefined;
  };
  const maxId = cursor('max_id');
  const sinceId = cursor('since_id');
  const minId = cursor('min_id');
  const matches = ({ id, status }: { id: bigint; status: MastoStatus }) =>
    (maxId === undefined || id < maxId) &&
    (sinceId === undefined || id > sinceId) &&
    (minId === undefined || id > minId) &&
    keep(status);
  const page: Array<{ id: bigint; status: MastoStatus }> = [];
  if (minId !== undefined) {
    for (const entry of timeline) if (matches(entry) && page.push(entry) >= limit) break;
    page.reverse();
  } else {
    for (let i = timeline.length - 1; i >= 0; i--) {
      const entry = timeline[i];
      if (entry && matches(entry) && page.push(entry) >= limit) break;
    }
  }
  const first = page[0];
  const last = page.at(-1);
  if (first && last) {
    const link = (name: string, id: bigint) => {
      const url = new URL(c.req.url);
      for (const key of ['max_id', 'since_id', 'min_id']) url.searchParams.delete(key);
      url.searchParams.set(name, id.toString());
      return url.href;
    };
    const links = [`<${link('min_id', first.id)}>; rel="prev"`];
    if (page.length === limit) links.unshift(`<${link('max_id', last.id)}>; rel="next"`);
    c.header('Link', links.join(', '));
  }
  return c.json(page.map(({ status }) => render(status)));
}

/**
 * Closes the client's connection without a word. Under the Node server that is the socket (and the server
 * is told not to answer); without one (`app.request()` in tests) a network-error Response.
 */
function dropConnection(c: Context): Response {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return Response.error();
  incoming.socket.destroy();
  return RESPONSE_ALREADY_SENT;
}

function limitOf(value: string | undefined): number {
  const limit = Number(value);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT;
}
