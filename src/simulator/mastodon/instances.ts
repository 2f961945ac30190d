/**
 * The stand-in's instances. Each has its own local accounts, sees only the statuses that reached it
 * (federation is partial: a remote status reaches an instance with probability `reach`), its own ids for
 * every copy it holds, and its own rate limit. Domains other than mastodon.social, mastodon.green and
 * fosstodon.org are fictional (`.example`), like the scenario's peers.
 */
export interface MastodonInstanceSpec {
  domain: string;
  /** Share of the Mastodon accounts whose home this is (the fixed accounts aside). */
  homeShare: number;
  /** Chance that a status from another instance reaches this one. */
  reach: number;
  /**
   * How its statuses' ActivityPub URIs look: `users` = https://host/users/<name>/statuses/<id> (the
   * classic form), `ap` = https://host/ap/users/<account id>/statuses/<id> (numeric ids, Mastodon 4.5+).
   */
  uriStyle: 'users' | 'ap';
  /** Tag timelines closed to anonymous readers (Mastodon's `timelines_access` setting): 401 without a token. */
  closedTagTimelines?: boolean;
}

export const DEFAULT_MASTODON_INSTANCES: readonly MastodonInstanceSpec[] = [
  { domain: 'mastodon.social', homeShare: 0.45, reach: 0.7, uriStyle: 'users' },
  { domain: 'mastodon.green', homeShare: 0.2, reach: 0.45, uriStyle: 'ap' },
  { domain: 'fosstodon.org', homeShare: 0.15, reach: 0.35, uriStyle: 'users' },
  {
    domain: 'social.munistra.example',
    homeShare: 0.1,
    reach: 0.3,
    uriStyle: 'users',
    closedTagTimelines: true,
  },
  { domain: 'toot.civora.example', homeShare: 0.1, reach: 0.25, uriStyle: 'ap' },
];

/** Where the scenario's fixed accounts live on Mastodon (scenario user index → domain). */
export const FIXED_HOMES: Readonly<Record<number, string>> = {
  0: 'mastodon.social', // OpenData_Forum → opendataforum@mastodon.social
  1: 'mastodon.green',
  2: 'toot.civora.example',
  3: 'social.munistra.example',
  4: 'mastodon.social',
};

/** Mastodon's default: 300 requests per 5 minutes. */
export const DEFAULT_MASTODON_RATE_LIMIT = { limit: 300, windowMs: 5 * 60 * 1000 };
