import type { EngagementCounts, NetworkAccount, NetworkPost, RateLimitState } from '../types.ts';
import { MastodonNotFoundError, MastodonRequestError, MastodonTransientError } from './errors.ts';
import { statusHome, uriHost } from './home.ts';
import { getJson } from './http.ts';
import { type MastodonInstance, parseInstance } from './instances.ts';
import { parseLinkHeader } from './link.ts';
import { countsOf, toNetworkAccount, toNetworkPosts } from './map.ts';
import type { HomeBatch, HomeCounts, MastodonPage, MastodonResponseEvent, TagQuery } from './types.ts';
import {
  type AccountWire,
  accountWire,
  instanceV1Wire,
  instanceV2Wire,
  type StatusWire,
  statusWire,
} from './wire.ts';

/**
 * Decided: plain `fetch`, no client library. masto 8 and megalodon 10 need Node ≥ 22 (this project runs
 * on Node 20), and masto 7 resolves every endpoint as `new URL('/api/v1/…', url)`, which drops the path of
 * a base URL such as http://127.0.0.1:4200/i/mastodon.social/; it also hides the X-RateLimit-* headers
 * unless each call asks for the raw response. The handful of GET endpoints the tracker reads is little code.
 */
export interface MastodonClientOptions {
  /** Tokens by instance base URL (see parseMastodonTokens), for instances closed to anonymous readers. */
  tokens?: ReadonlyMap<string, string>;
  /**
   * Where the API of a host is, when it is not `https://<host>/` (a stand-in, a test server): host of
   * status and account URIs → instance (host name or base URL). Instances the client has read are added
   * on their own, under the domain their `/api/v2/instance` names.
   */
  directory?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Called after every request, whatever came back; must not throw (whatever it throws is ignored). */
  onResponse?: (event: MastodonResponseEvent) => void;
}

export const HOME_BATCH_SIZE = 20;
export const MAX_TAG_PAGE = 40;

export class MastodonClient {
  readonly #tokens: ReadonlyMap<string, string>;
  readonly #timeoutMs: number;
  readonly #onResponse: ((event: MastodonResponseEvent) => void) | undefined;
  /** host → base URL */
  readonly #directory = new Map<string, string>();
  readonly #limits = new Map<string, RateLimitState>();
  readonly #domains = new Map<string, Promise<string>>();
  /** per instance base URL: local account id → account uri (null: the instance does not know it) */
  readonly #accountUris = new Map<string, Map<string, string | null>>();
  /** `user@domain` → the account's id on its home */
  readonly #localIds = new Map<string, string>();
  /** base URLs whose `GET /api/v1/statuses?id[]=` is missing (before 4.3): read one by one there */
  readonly #noBatch = new Set<string>();

  constructor(options: MastodonClientOptions = {}) {
    this.#tokens = options.tokens ?? new Map();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#onResponse = options.onResponse;
    for (const [host, instance] of Object.entries(options.directory ?? {})) {
      this.#directory.set(host.toLowerCase(), parseInstance(instance).baseUrl);
    }
  }

  /** What the instance said of its rate limit on its last answer. */
  rateLimit(instance: string): RateLimitState | undefined {
    return this.#limits.get(parseInstance(instance).baseUrl);
  }

  /** The domain of the instance's local accounts (`/api/v2/instance`), read once. */
  localDomain(instance: string): Promise<string> {
    const target = parseInstance(instance);
    let domain = this.#domains.get(target.baseUrl);
    if (!domain) {
      domain = this.#readDomain(target);
      domain.catch(() => this.#domains.delete(target.baseUrl));
      this.#domains.set(target.baseUrl, domain);
    }
    return domain;
  }

  /** One page of the instance's hashtag timeline, newest first. */
  async tagTimeline(instance: string, query: TagQuery): Promise<MastodonPage> {
    const target = parseInstance(instance);
    const [first, ...rest] = query.tags.map((tag) => tag.replace(/^#/, ''));
    if (!first) throw new MastodonRequestError('a tag timeline needs at least one tag');
    const url = new URL(`api/v1/timelines/tag/${encodeURIComponent(first)}`, target.baseUrl);
    url.searchParams.set('limit', String(Math.min(query.limit ?? MAX_TAG_PAGE, MAX_TAG_PAGE)));
    for (const tag of rest) url.searchParams.append('any[]', tag);
    if (query.maxId) url.searchParams.set('max_id', query.maxId);
    if (query.sinceId) url.searchParams.set('since_id', query.sinceId);
    if (query.minId) url.searchParams.set('min_id', query.minId);
    return this.#page(target, url, 'tag-timeline');
  }

  /** The page a `Link` named (`page.next`) of a tag timeline: it must be on the same instance. */
  async tagTimelineAt(instance: string, link: string): Promise<MastodonPage> {
    return this.#pageAt(instance, link, 'tag-timeline');
  }

  /**
   * One page of an account's statuses on its home instance, boosts included (tag timelines never list
   * boosts: an account's reposts are seen only here). `page.instance` is the home.
   */
  async accountTimeline(
    handle: string,
    query: { maxId?: string; limit?: number } = {},
  ): Promise<MastodonPage> {
    const { user, domain } = splitHandle(handle);
    const target = this.#homeOf(domain);
    let id = this.#localIds.get(`${user}@${domain}`.toLowerCase());
    if (!id) {
      const url = new URL('api/v1/accounts/lookup', target.baseUrl);
      url.searchParams.set('acct', `${user}@${domain}`);
      const { body } = await this.#get(target, url, 'account-lookup');
      id = accountWire.parse(body).id;
      this.#localIds.set(`${user}@${domain}`.toLowerCase(), id);
    }
    const url = new URL(`api/v1/accounts/${encodeURIComponent(id)}/statuses`, target.baseUrl);
    url.searchParams.set('limit', String(Math.min(query.limit ?? MAX_TAG_PAGE, MAX_TAG_PAGE)));
    if (query.maxId) url.searchParams.set('max_id', query.maxId);
    return this.#page(target, url, 'account-statuses');
  }

  /** The page a `Link` named (`page.next`) of an account timeline (`page.instance` is its instance). */
  async accountTimelineAt(instance: string, link: string): Promise<MastodonPage> {
    return this.#pageAt(instance, link, 'account-statuses');
  }

  async #pageAt(instance: string, link: string, endpoint: string): Promise<MastodonPage> {
    const target = parseInstance(instance);
    if (!link.startsWith(target.baseUrl)) {
      throw new MastodonRequestError(`${target.name} linked to ${link}, outside the instance: not followed`);
    }
    return this.#page(target, new URL(link), endpoint);
  }

  /** An account by `user@domain`, on its home instance (where its counts are authoritative). */
  async lookupAccount(handle: string): Promise<NetworkAccount> {
    const { user, domain } = splitHandle(handle);
    return this.#lookup(this.#homeOf(domain), `${user}@${domain}`);
  }

  /** The home copy of an account seen elsewhere: its API host is its uri's host. */
  async homeAccount(account: Pick<NetworkAccount, 'id' | 'handle'>): Promise<NetworkAccount> {
    return this.#lookup(parseInstance(this.homeInstanceOf(account.id)), account.handle);
  }

  /** The base URL of the home of `user@domain` (what the directory says of the domain, else https://domain/). */
  homeInstanceOfHandle(handle: string): string {
    return this.#homeOf(splitHandle(handle).domain).baseUrl;
  }

  /** The base URL of the instance a status or account uri belongs to. */
  homeInstanceOf(uri: string): string {
    const host = uriHost(uri);
    if (!host) throw new MastodonRequestError(`"${uri}" is not a URL: no home instance to read`);
    return this.#homeOf(host).baseUrl;
  }

  /**
   * Groups statuses by home instance, in batches of HOME_BATCH_SIZE, for `homeCounts`. Statuses whose
   * uri carries no Mastodon home id (see home.ts) come back in `unplaced`.
   */
  planHomeReads(posts: ReadonlyArray<Pick<NetworkPost, 'id' | 'url'>>): {
    batches: HomeBatch[];
    unplaced: string[];
  } {
    const byInstance = new Map<string, Array<{ uri: string; id: string }>>();
    const unplaced: string[] = [];
    for (const post of posts) {
      const home = statusHome(post.id, post.url);
      if (!home) {
        unplaced.push(post.id);
        continue;
      }
      const instance = this.#homeOf(home.host).baseUrl;
      const list = byInstance.get(instance) ?? [];
      list.push({ uri: post.id, id: home.id });
      byInstance.set(instance, list);
    }
    const batches: HomeBatch[] = [];
    for (const [instance, statuses] of byInstance) {
      for (let i = 0; i < statuses.length; i += HOME_BATCH_SIZE) {
        batches.push({ instance, statuses: statuses.slice(i, i + HOME_BATCH_SIZE) });
      }
    }
    return { batches, unplaced };
  }

  /**
   * Fresh counts of a batch from its home instance, by status uri (deleted statuses are absent), and the
   * authors as their home counts them: the home copy of a status carries its author's home Account, so
   * followers come with the counts at no extra request.
   */
  async homeCounts(batch: HomeBatch): Promise<HomeCounts> {
    const target = parseInstance(batch.instance);
    const wanted = new Set(batch.statuses.map((status) => status.uri));
    const found: StatusWire[] = [];
    if (!this.#noBatch.has(target.baseUrl) && batch.statuses.length > 1) {
      const url = new URL('api/v1/statuses', target.baseUrl);
      for (const status of batch.statuses) url.searchParams.append('id[]', status.id);
      try {
        const { body } = await this.#get(target, url, 'statuses');
        found.push(...entries(body, statusWire).statuses);
      } catch (error) {
        if (!(error instanceof MastodonNotFoundError)) throw error;
        this.#noBatch.add(target.baseUrl);
      }
    }
    if (this.#noBatch.has(target.baseUrl) || batch.statuses.length === 1) {
      for (const status of batch.statuses) {
        try {
          const { body } = await this.#get(
            target,
            new URL(`api/v1/statuses/${status.id}`, target.baseUrl),
            'status',
          );
          const parsed = statusWire.safeParse(body);
          if (parsed.success) found.push(parsed.data);
        } catch (error) {
          if (!(error instanceof MastodonNotFoundError)) throw error;
        }
      }
    }
    const counts = new Map<string, EngagementCounts>();
    const authors = new Map<string, NetworkAccount>();
    const domain = found.length > 0 ? await this.localDomain(target.baseUrl) : '';
    // The home answers with its own copy: the uri it gives must be the one asked for.
    for (const status of found) {
      if (!wanted.has(status.uri)) continue;
      counts.set(status.uri, countsOf(status));
      // A local author's acct has no domain: only then is this instance its home.
      if (status.account.uri && !status.account.acct.includes('@')) {
        authors.set(status.account.uri, toNetworkAccount(status.account, domain));
      }
    }
    return { counts, authors };
  }

  async #page(target: MastodonInstance, url: URL, endpoint: string): Promise<MastodonPage> {
    const { body, headers } = await this.#get(target, url, endpoint);
    const { statuses, skipped } = entries(body, statusWire);
    const domain = await this.localDomain(target.baseUrl);
    const known = this.#knownAccounts(target);
    const accounts = new Map<string, NetworkAccount>();
    for (const status of statuses) {
      for (const account of accountsOf(status)) {
        if (account.uri) known.set(account.id, account.uri);
        if (account.uri && !accounts.has(account.uri))
          accounts.set(account.uri, toNetworkAccount(account, domain));
      }
    }
    let unresolvedMentions = 0;
    for (const status of statuses) {
      for (const mention of [...status.mentions, ...(status.reblog?.mentions ?? [])]) {
        if (!known.has(mention.id)) known.set(mention.id, await this.#accountUri(target, mention.id));
      }
    }
    const posts = statuses.flatMap((status) =>
      toNetworkPosts(status, (mention) => {
        const uri = known.get(mention.id) ?? undefined;
        if (!uri) unresolvedMentions++;
        return uri;
      }),
    );
    const last = statuses.at(-1);
    return {
      // The key the other methods take (a name such as `127.0.0.1:4200/i/x` is not a base URL).
      instance: target.baseUrl,
      posts,
      accounts: [...accounts.values()],
      next: parseLinkHeader(headers.get('link')).get('next') ?? null,
      newestId: statuses[0]?.id ?? null,
      oldestId: last?.id ?? null,
      oldestCreatedAt: last ? new Date(last.created_at) : null,
      skipped,
      unresolvedMentions,
      rateLimit: this.#limits.get(target.baseUrl) ?? null,
    };
  }

  /**
   * A mention names the account by its id on the serving instance. Decided: ask that instance
   * (`GET /api/v1/accounts/:id`), once per account and instance, for the uri; accounts already seen as
   * authors cost nothing. The profile `url` cannot stand in (`https://host/@name` is not the uri
   * `https://host/users/name`, and other servers use other forms).
   */
  async #accountUri(target: MastodonInstance, id: string): Promise<string | null> {
    try {
      const { body } = await this.#get(
        target,
        new URL(`api/v1/accounts/${encodeURIComponent(id)}`, target.baseUrl),
        'account',
      );
      return accountWire.safeParse(body).data?.uri ?? null;
    } catch (error) {
      if (error instanceof MastodonNotFoundError) return null;
      throw error;
    }
  }

  async #lookup(target: MastodonInstance, acct: string): Promise<NetworkAccount> {
    const url = new URL('api/v1/accounts/lookup', target.baseUrl);
    url.searchParams.set('acct', acct);
    const { body } = await this.#get(target, url, 'account-lookup');
    const parsed = accountWire.safeParse(body);
    if (!parsed.success)
      throw new MastodonTransientError(`${target.name} answered an unreadable Account for ${acct}`);
    return toNetworkAccount(
      parsed.data,
      acct.includes('@') ? (acct.split('@')[1] ?? '') : await this.localDomain(target.baseUrl),
    );
  }

  #homeOf(host: string): MastodonInstance {
    const base = this.#directory.get(host.toLowerCase());
    return parseInstance(base ?? host);
  }

  #knownAccounts(target: MastodonInstance): Map<string, string | null> {
    let known = this.#accountUris.get(target.baseUrl);
    if (!known) {
      known = new Map();
      this.#accountUris.set(target.baseUrl, known);
    }
    return known;
  }

  async #readDomain(target: MastodonInstance): Promise<string> {
    let domain: string;
    try {
      const { body } = await this.#get(target, new URL('api/v2/instance', target.baseUrl), 'instance');
      domain = instanceV2Wire.parse(body).domain;
    } catch (error) {
      if (!(error instanceof MastodonNotFoundError)) throw error;
      const { body } = await this.#get(target, new URL('api/v1/instance', target.baseUrl), 'instance');
      domain = instanceV1Wire
        .parse(body)
        .uri.replace(/^https?:\/\//, '')
        .replace(/\/$/, '');
    }
    domain = domain.toLowerCase();
    if (!this.#directory.has(domain)) this.#directory.set(domain, target.baseUrl);
    return domain;
  }

  async #get(
    target: MastodonInstance,
    url: URL,
    endpoint: string,
  ): Promise<{ body: unknown; headers: Headers }> {
    const answer = await getJson(target, url, endpoint, {
      token: this.#tokens.get(target.baseUrl),
      timeoutMs: this.#timeoutMs,
      onAnswer: (status, rateLimit) => {
        if (rateLimit) this.#limits.set(target.baseUrl, rateLimit);
        this.#report({ instance: target.name, endpoint, status, rateLimit });
      },
    });
    return answer;
  }

  #report(event: MastodonResponseEvent): void {
    try {
      this.#onResponse?.(event);
    } catch {
      // an observer's failure is not the request's
    }
  }
}

function accountsOf(status: StatusWire): AccountWire[] {
  const accounts = [status.account];
  if (status.reblog) accounts.push(status.reblog.account);
  for (const original of [status, status.reblog]) {
    const quoted = original?.quote?.quoted_status;
    if (quoted) accounts.push(quoted.account);
  }
  return accounts;
}

/** An array answer checked entry by entry: a malformed status is skipped and counted. */
function entries(body: unknown, schema: typeof statusWire): { statuses: StatusWire[]; skipped: number } {
  if (!Array.isArray(body)) throw new MastodonTransientError('expected an array of statuses');
  const statuses: StatusWire[] = [];
  let skipped = 0;
  for (const entry of body) {
    const parsed = schema.safeParse(entry);
    if (
      parsed.success &&
      parsed.data.account.uri &&
      (!parsed.data.reblog || parsed.data.reblog.account.uri)
    ) {
      statuses.push(parsed.data);
    } else skipped++;
  }
  return { statuses, skipped };
}

function splitHandle(handle: string): { user: string; domain: string } {
  const match = /^@?([^@\s]+)@([^@\s]+)$/.exec(handle.trim());
  if (!match?.[1] || !match[2]) throw new MastodonRequestError(`"${handle}" is not a user@instance handle`);
  return { user: match[1], domain: match[2] };
}
