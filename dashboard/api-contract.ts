import { z } from 'zod';
import { type Network, networks } from '../src/networks/types.ts';
import { seriesMetrics } from '../src/rank/metrics.ts';

/**
 * JSON shapes of the dashboard API, shared by the routes and the browser code. Dates travel as ISO
 * 8601 strings; X ids as strings.
 *
 * Each answer of the JSON API is a zod schema here and its type is the schema's output: the handlers
 * build values of these types, and `/api/v1/openapi.json` describes the answers from the same schemas
 * (dashboard/server/openapi/document.ts), so the code and the document cannot say different things.
 * Responses are not parsed at run time; tests/integration/openapi.test.ts validates real answers
 * against the document. The browser imports the types only: zod stays out of its bundle.
 */

const instant = z.iso.datetime();
const optionalInstant = instant.nullable();

export const campaignSchema = z.object({
  slug: z.string(),
  name: z.string(),
  timezone: z
    .string()
    .describe('IANA time zone of the campaign, e.g. Europe/Paris: days and hours are its own'),
  window: z.object({ start: instant, end: instant }),
  home: z.string().describe("the home account's username"),
});
export type CampaignJson = z.output<typeof campaignSchema>;

export const campaignListSchema = z.object({ campaigns: z.array(campaignSchema) });
export type CampaignListJson = z.output<typeof campaignListSchema>;

export const leaderboardRowSchema = z.object({
  rank: z.number().int().describe('standard competition ranking: 1, 2, 2, 4'),
  accountId: z.string().describe('the X id, as a string (64-bit); negative: a Bluesky or Mastodon account'),
  network: z.enum(networks).describe('the network of the account'),
  username: z.string(),
  name: z.string(),
  profileImageUrl: z.string().nullable(),
  value: z.number(),
  isHome: z.boolean(),
});

export const leaderboardSchema = z.object({
  campaign: z.string(),
  metric: z.string(),
  scope: z.string(),
  network: z
    .enum([...networks, 'all'])
    .describe('x, bluesky, mastodon, or all (every network ranked together)'),
  from: instant,
  to: instant,
  asOf: instant.describe('the application clock when the ranking was read (the replayed time in demo mode)'),
  total: z.number().int().describe('accounts ranked (with a value above zero)'),
  rows: z.array(leaderboardRowSchema),
  home: leaderboardRowSchema.nullable().describe("the home account's row, also when it is outside `rows`"),
});
export type LeaderboardJson = z.output<typeof leaderboardSchema>;

const valuePoints = z.array(z.object({ at: instant, value: z.number() }));

export const seriesSchema = z.object({
  campaign: z.string(),
  username: z.string(),
  metric: z.literal('followers'),
  interval: z.enum(['hour', 'day']),
  from: instant,
  to: instant,
  asOf: instant,
  points: z
    .array(z.object({ at: instant, value: z.number(), source: z.enum(['collected', 'imported']).optional() }))
    .describe(
      'followers only: `source` is `imported` for a reading from a file (`tracker import followers`)',
    ),
});
export type SeriesJson = z.output<typeof seriesSchema>;

export const errorSchema = z.object({
  error: z.object({
    code: z
      .string()
      .describe(
        'machine-readable: invalid_parameter, not_found, unauthorized, forbidden, admin_disabled, conflict, rate_limited, unavailable, not_ready, internal',
      ),
    message: z.string().describe('one line a person can act on'),
  }),
});
export type ErrorJson = z.output<typeof errorSchema>;

/** What the live leaderboard page embeds for its first paint and its refreshes. */
export interface PageData {
  lang: 'en' | 'fr';
  timezone: string;
  homeUsername: string;
  leaderboardUrl: string;
  seriesUrl: string;
  refreshMs: number;
  leaderboard: LeaderboardJson;
  series: SeriesJson;
}

/** The leaderboard metrics of the ranking API (docs/METRICS.md), in the order the switch shows them. */
export const leaderboardMetrics = [
  'posts',
  'reposts',
  'engagement',
  'impressions',
  'mentions',
  'followers',
  'follower_growth',
  'follower_growth_pct',
] as const;
export const leaderboardScopes = ['all', 'watchlist'] as const;

/** What the live leaderboard page embeds beyond `PageData`: its switches, live feed and charts. */
export interface CampaignPageData extends PageData {
  slug: string;
  name: string;
  /** `/api/v1/campaigns/<slug>`: the JSON API of this campaign */
  apiBase: string;
  eventsUrl: string;
  metric: string;
  scope: string;
  /** the network the board ranks (`all`: every network together) */
  network: string;
  /** the networks the campaign follows: a switch when there are several */
  networks: Network[];
  limit: number;
  /** false while the ranking API has no such metric: the page says so instead of a table */
  metricAvailable: boolean;
  leaderboard: RankedLeaderboardJson;
  /** peers of the watchlist the follower chart can compare the home account with */
  peers: string[];
  lastCollectedAt: string | null;
}

/** What the big screen (`/campaigns/:slug/screen`) embeds for its first paint, rotation and updates. */
export interface ScreenPageData {
  lang: 'en' | 'fr';
  slug: string;
  name: string;
  homeUsername: string;
  /** `/api/v1/campaigns/<slug>` */
  apiBase: string;
  eventsUrl: string;
  /** how often to re-read the API when the event stream is not available */
  refreshMs: number;
  /** how long each panel stays */
  rotateMs: number;
  /** the leaderboard by posts: the first panel, the home line and the networks to rotate through */
  leaderboard: RankedLeaderboardJson;
  overview: CampaignOverviewJson;
}

/** What the account page embeds for its charts. */
export interface AccountPageData {
  lang: 'en' | 'fr';
  timezone: string;
  slug: string;
  network: Network;
  username: string;
  apiBase: string;
  from: string;
  to: string;
}

/** The first event of `GET /api/v1/campaigns/:slug/events`, sent as the stream opens. */
export const campaignHelloEventSchema = z.object({ campaign: z.string() });
export type CampaignHelloEventJson = z.output<typeof campaignHelloEventSchema>;

/** The `update` events of `GET /api/v1/campaigns/:slug/events`: re-read the API. */
export const campaignUpdateEventSchema = z.object({
  campaign: z.string(),
  at: instant.describe('when the dashboard relayed the write (application clock)'),
});
export type CampaignUpdateEventJson = z.output<typeof campaignUpdateEventSchema>;

/* Answers of the admin write routes. */

/**
 * A campaign file put back (the `PUT` of dashboard/server/routes/campaign-file.ts) or posted to
 * `POST /campaigns`: what applying it changed.
 */
export const campaignAppliedSchema = z.object({
  campaign: z.string(),
  created: z.boolean().describe('true (status 201) when the file created the campaign'),
  queriesAdded: z.array(z.string()),
  queriesRetired: z.array(z.string()),
  watchlistAdded: z.array(z.string()),
  watchlistRemoved: z.array(z.string()),
});
export type CampaignAppliedJson = z.output<typeof campaignAppliedSchema>;

export const watchlistChangeSchema = z.object({
  campaign: z.string(),
  username: z.string(),
  changed: z.boolean().describe('false when the account was already on the watchlist (or already absent)'),
  snapshotQueued: z
    .boolean()
    .describe("a follower snapshot of the watchlist was queued, so the new account's figures come now"),
});
export type WatchlistChangeJson = z.output<typeof watchlistChangeSchema>;

export const queryChangeSchema = z.object({
  campaign: z.string(),
  id: z.number().int(),
  query: z.string(),
  active: z.boolean(),
  changed: z.boolean(),
  pollQueued: z.boolean().describe("a poll of the campaign's queries was queued"),
});
export type QueryChangeJson = z.output<typeof queryChangeSchema>;

/** `POST …/backfill`: what was queued, by query id (src/jobs/enqueue.ts `requestBackfill`). */
export const backfillQueuedSchema = z.object({
  campaign: z.string(),
  backfills: z
    .array(z.number().int())
    .describe('walks back queued (or already waiting or running: never twice)'),
  polls: z
    .array(z.number().int())
    .describe('queries not polled yet: their first poll was queued, it sets where the walk starts'),
  complete: z.array(z.number().int()).describe('queries whose walk back already reached the 7-day horizon'),
});
export type BackfillQueuedJson = z.output<typeof backfillQueuedSchema>;

export const collectionStateSchema = z.object({
  campaign: z.string(),
  paused: z.boolean(),
  queued: z
    .enum(['tick'])
    .nullable()
    .describe('the job queued: `tick` polls every active query of the campaign now'),
});
export type CollectionStateJson = z.output<typeof collectionStateSchema>;

/*
 * The ranking API (src/rank), `GET /api/v1/campaigns/:slug/…`. Metric definitions: docs/METRICS.md.
 */

/** A leaderboard row with its movement: the ranks it had an hour ago and at the start of the day. */
export const rankedRowSchema = leaderboardRowSchema.extend({
  entity: z
    .object({ name: z.string(), networks: z.array(z.string()), handle: z.string().nullable() })
    .nullable()
    .describe(
      "scope watchlist: the entity (organisation or person) the row sums, its accounts' networks on the board (username and name are then the entity's name), and the handle of its account when it has one only on the board; null on an account's row",
    ),
  rankHourAgo: z
    .number()
    .int()
    .nullable()
    .describe('rank on [from, min(to, asOf) − 1 hour); null when not ranked then'),
  rankDayStart: z
    .number()
    .int()
    .nullable()
    .describe('rank on [from, start of the day of min(to, asOf)); null when not ranked then'),
});
export type RankedRowJson = z.output<typeof rankedRowSchema>;

/** `…/leaderboard?metric=&scope=&network=&from=&to=&limit=` */
export const rankedLeaderboardSchema = leaderboardSchema.extend({
  rows: z.array(rankedRowSchema),
  home: rankedRowSchema.nullable().describe("the home account's row, also when it is outside `rows`"),
  lastCollectedAt: optionalInstant.describe(
    "end of the campaign's last successful collection run (null: none yet)",
  ),
  movement: z
    .object({ hourAgo: optionalInstant, dayStart: optionalInstant })
    .describe('ends of the windows `rankHourAgo` and `rankDayStart` are ranks on (null: an empty window)'),
});
export type RankedLeaderboardJson = z.output<typeof rankedLeaderboardSchema>;

/**
 * `…/accounts/:network/:handle/series?metric=followers|posts|engagement&interval=hour|day&from=&to=`
 * (and the X form `…/accounts/:username/series`); `username` is the handle on its network.
 */
export const accountSeriesSchema = seriesSchema.extend({
  metric: z.enum(seriesMetrics),
  network: z.enum(networks).describe('the network of the account'),
});
export type AccountSeriesJson = z.output<typeof accountSeriesSchema>;

/** `…/rank-history?metric=&scope=&interval=hour|day&from=&to=`: the home account's rank per bucket. */
export const homeRankHistorySchema = z.object({
  campaign: z.string(),
  username: z.string().describe("the home's handle on the network asked (all: the campaign's home handle)"),
  network: z.enum([...networks, 'all']),
  metric: z.string(),
  scope: z.string(),
  interval: z.enum(['hour', 'day']),
  from: instant,
  to: instant,
  asOf: instant,
  points: z
    .array(z.object({ at: instant, rank: z.number().int().nullable(), value: z.number().nullable() }))
    .describe('one per bucket up to min(to, asOf): the rank on [from, end of the bucket)'),
});
export type HomeRankHistoryJson = z.output<typeof homeRankHistorySchema>;

/** A post as the top-posts lists show it (the row is read in src/db/account-repository.ts). */
export const topPostSchema = z.object({
  id: z.string(),
  network: z.enum(networks),
  nativeId: z.string().describe("the post's id on its network: X's id, a Bluesky at:// URI, a Mastodon uri"),
  username: z.string(),
  name: z.string(),
  text: z.string().describe('user-controlled: render as text, never HTML'),
  createdAt: instant,
  kind: z.string(),
  likes: z.number(),
  reposts: z.number(),
  replies: z.number(),
  quotes: z.number(),
  engagement: z.number(),
  impressions: z.number().nullable(),
});
export type TopPostJson = z.output<typeof topPostSchema>;

/** `…/overview?from=&to=&top=` */
export const campaignOverviewSchema = z.object({
  campaign: z.string(),
  from: instant,
  to: instant,
  asOf: instant,
  postsPerHour: z
    .array(
      z.object({
        queryId: z.number().int(),
        query: z.string(),
        active: z.boolean(),
        points: valuePoints,
      }),
    )
    .describe('posts, replies and quotes each query matched per hour (hours without any are absent)'),
  uniqueAuthors: z.number().int().describe('accounts that authored a campaign post (any kind) in the window'),
  posts: z.number(),
  engagement: z.number(),
  home: z
    .object({
      posts: z.number(),
      engagement: z.number(),
      shareOfPosts: z.number().nullable(),
      shareOfEngagement: z.number().nullable(),
    })
    .describe("the home account's share of voice: its part of the campaign's posts and engagement (0–1)"),
  topPosts: z.array(topPostSchema),
  headline: z
    .object({
      username: z.string(),
      followers: z.number().nullable(),
      followerGrowth: z.number().nullable(),
      metric: z.literal('posts'),
      rank: z.number().int().nullable(),
      total: z.number().int(),
      networks: z
        .array(
          z.object({
            network: z.enum(networks),
            username: z.string().nullable().describe("the home's handle there (null: no account there)"),
            followers: z.number().nullable(),
            followerGrowth: z.number().nullable(),
            rank: z.number().int().nullable(),
            total: z.number().int(),
          }),
        )
        .describe(
          'the same figures on each network the campaign follows ("n°3 of 4,211 on X · n°1 of 380 on Bluesky")',
        ),
    })
    .describe('"@OpenData_Forum: 512 followers (+318 during the event), n°3 of 4,211 accounts by posts"'),
});
export type CampaignOverviewJson = z.output<typeof campaignOverviewSchema>;

const hourCollectionSchema = z.enum(['polled', 'backfilled', 'pending', 'beyond_reach', 'not_collected']);

/** `…/coverage?from=&to=`: how complete the data of each campaign hour is. */
export const coverageSchema = z.object({
  campaign: z.string(),
  from: instant,
  to: instant,
  asOf: instant,
  queries: z.array(
    z.object({
      id: z.number().int(),
      network: z.enum(networks),
      query: z
        .string()
        .describe('as people read it: X as written, "#tag (bluesky)", "#tag (mastodon.social)"'),
      active: z.boolean(),
      pollingSince: optionalInstant,
      backfillFrom: optionalInstant,
      backfillDone: z.boolean(),
      oldestPostHour: optionalInstant,
    }),
  ),
  hours: z.array(
    z.object({
      at: instant,
      polls: z.number().int(),
      pollRequests: z.number().int(),
      backfills: z.number().int(),
      rateLimited: z.number().int(),
      failed: z.number().int(),
      budgetPaused: z
        .number()
        .int()
        .describe("runs that sent nothing: the monthly budget or X's cap was reached"),
      collection: hourCollectionSchema.describe('the least complete state among the active queries'),
      queries: z.record(z.string(), hourCollectionSchema).describe("each active query's state, by query id"),
    }),
  ),
});
export type CoverageJson = z.output<typeof coverageSchema>;
