import * as accounts from '../../src/db/account-repository.ts';
import * as alerts from '../../src/db/alerts-repository.ts';
import * as campaigns from '../../src/db/campaign-repository.ts';
import { inSnapshot } from '../../src/db/consistent-read.ts';
import * as coverage from '../../src/db/coverage-repository.ts';
import type { Db } from '../../src/db/database.ts';
import * as followers from '../../src/db/follower-readings-repository.ts';
import * as boards from '../../src/db/leaderboard-repository.ts';
import * as overview from '../../src/db/overview-repository.ts';
import * as history from '../../src/db/rank-history-repository.ts';
import * as runLog from '../../src/db/run-log-repository.ts';
import type { Campaign } from '../../src/db/schema.ts';
import * as series from '../../src/db/series-repository.ts';
import { planFor } from '../../src/rank/windows.ts';

/**
 * The cases tests/support/sql-dump.ts runs, per repository of src/db/: every exported function at
 * least once, and once per shape of SQL it can send (a strategy of src/rank/windows.ts, mentions or
 * an account metric, a scope). Inputs are fixed: the SQL text depends on them only through their
 * shape, never through the data.
 */

export interface DumpCase {
  /** the repository's exported function */
  fn: string;
  /** what this case picks among the shapes of SQL the function sends */
  label?: string;
  run(db: Db, campaign: Campaign): Promise<unknown>;
}

const hour = 3600_000;
/** The campaign window of tests/support/campaign-fixture.ts, and windows that take each strategy. */
const start = new Date('2016-12-06T23:00:00Z');
const end = new Date('2016-12-09T23:00:00Z');
const whole = { from: start, to: end };
const most = { from: new Date(start.getTime() + 6 * hour), to: end };
const day = { from: new Date(start.getTime() + 24 * hour), to: new Date(start.getTime() + 48 * hour) };
/** Not a whole day: the sum adds up days and parts of days. */
const span = { from: new Date(start.getTime() + 20 * hour), to: new Date(start.getTime() + 48 * hour) };
const asOf = new Date(start.getTime() + 40 * hour);
const ids = ['1001', '1002'];
const usernames = ['opendata_forum', 'peer_one'];

const plan = (campaign: Campaign, window: { from: Date; to: Date }) => planFor(campaign, window);

export const dumpedRepositories: Record<string, DumpCase[]> = {
  'leaderboard-repository': [
    ...(['difference', 'sum', 'one day'] as const).flatMap((strategy) =>
      (['posts', 'mentions'] as const).map(
        (metric): DumpCase => ({
          fn: 'rankedBoard',
          label: `${metric}, ${strategy}`,
          run: (db, c) => {
            const window = { difference: most, sum: span, 'one day': day }[strategy];
            return boards.rankedBoard(db, c, { metric, window, plan: plan(c, window), network: 'all' }, 50);
          },
        }),
      ),
    ),
    { fn: 'topOfTotals', label: 'posts', run: (db, c) => boards.topOfTotals(db, c, 'posts', 50, 'all') },
    {
      fn: 'homeOfTotals',
      label: 'engagement on X',
      run: (db, c) => boards.homeOfTotals(db, c, 'engagement', 'x'),
    },
    {
      fn: 'countOfTotals',
      label: 'impressions',
      run: (db, c) => boards.countOfTotals(db, c, 'impressions', 'all'),
    },
    { fn: 'topOfMentions', run: (db, c) => boards.topOfMentions(db, c, 50, 'all') },
    { fn: 'homeOfMentions', run: (db, c) => boards.homeOfMentions(db, c, 'all') },
    { fn: 'countOfMentions', run: (db, c) => boards.countOfMentions(db, c, 'all') },
    { fn: 'boardSubjects', run: (db, c) => boards.boardSubjects(db, c) },
    {
      fn: 'spanValuesOfAccounts',
      label: 'reposts',
      run: (db, c) => boards.spanValuesOfAccounts(db, c, 'reposts', { from: asOf, to: end }, ids),
    },
    {
      fn: 'spanValuesOfUsernames',
      run: (db, c) => boards.spanValuesOfUsernames(db, c, { from: asOf, to: end }, usernames),
    },
    { fn: 'membersOf', run: (db, c) => boards.membersOf(db, c, { from: start, to: asOf }, ids) },
    ...(['posts', 'mentions'] as const).map(
      (metric): DumpCase => ({
        fn: 'earlierValueCounts',
        label: `${metric}, totals`,
        run: (db, c) =>
          boards.earlierValueCounts(
            db,
            c,
            { metric, window: whole, plan: plan(c, whole), network: 'all' },
            { from: asOf, to: end },
            { from: start, to: asOf },
            3,
          ),
      }),
    ),
    {
      fn: 'earlierValueCounts',
      label: "posts, one day, the board's leaders",
      run: (db, c) =>
        boards.earlierValueCounts(
          db,
          c,
          { metric: 'posts', window: day, plan: plan(c, day), network: 'all' },
          { from: asOf, to: day.to },
          { from: day.from, to: asOf },
          3,
          ids.map((accountId, i) => ({ accountId, mentionKey: null, value: 5 - i })),
        ),
    },
    { fn: 'watchlistAccounts', run: (db, c) => boards.watchlistAccounts(db, c, 'all') },
    { fn: 'watchlistEntityAccounts', run: (db, c) => boards.watchlistEntityAccounts(db, c, 'all') },
    { fn: 'rebuildRankRollups', run: (db, c) => boards.rebuildRankRollups(db, c.id) },
  ],
  'follower-readings-repository': [
    ...[false, true].map(
      (watchlistOnly): DumpCase => ({
        fn: 'followerReadings',
        label: watchlistOnly ? 'watchlist' : 'all',
        run: (db, c) => followers.followerReadings(db, c, watchlistOnly, 'all', whole, [end, asOf]),
      }),
    ),
    { fn: 'latestReading', run: (db) => followers.latestReading(db, ids[0] ?? '', asOf) },
    {
      fn: 'latestFollowersOfUsername',
      run: (db) => followers.latestFollowersOfUsername(db, 'OpenData_Forum', asOf),
    },
  ],
  'rank-history-repository': [
    ...(['engagement', 'mentions'] as const).map(
      (metric): DumpCase => ({
        fn: 'homeContributions',
        label: metric,
        run: (db, c) => history.homeContributions(db, c, c.home_username, metric, whole),
      }),
    ),
    ...(['posts', 'mentions'] as const).flatMap((metric) =>
      ([false, true] as const).map(
        (watchlistOnly): DumpCase => ({
          fn: 'accountsAboveHome',
          label: `${metric}, ${watchlistOnly ? 'watchlist' : 'all on X'}`,
          run: (db, c) =>
            history.accountsAboveHome(
              db,
              c,
              { handle: c.home_username, network: watchlistOnly ? 'all' : 'x' },
              metric,
              watchlistOnly,
              whole,
              plan(c, whole),
              {
                ends: [new Date(start.getTime() + hour), end],
                values: [1, 4],
                firstRanked: 0,
              },
            ),
        }),
      ),
    ),
  ],
  'series-repository': (['followers', 'posts', 'engagement'] as const).map(
    (metric): DumpCase => ({
      fn: 'accountSeriesPoints',
      label: metric,
      run: (db, c) =>
        series.accountSeriesPoints(
          db,
          c,
          { network: 'x', handle: 'OpenData_Forum' },
          {
            metric,
            interval: metric === 'posts' ? 'day' : 'hour',
            ...whole,
          },
        ),
    }),
  ),
  'coverage-repository': [
    { fn: 'queryCoverage', run: (db, c) => coverage.queryCoverage(db, c) },
    { fn: 'runsPerHour', run: (db, c) => coverage.runsPerHour(db, c, whole) },
    { fn: 'windowSources', run: (db, c) => coverage.windowSources(db, c, whole) },
  ],
  'overview-repository': [
    { fn: 'campaignQueries', run: (db, c) => overview.campaignQueries(db, c, 'all') },
    { fn: 'campaignQueries', label: 'x', run: (db, c) => overview.campaignQueries(db, c, 'x') },
    { fn: 'followedNetworks', run: (db, c) => overview.followedNetworks(db, c) },
    { fn: 'homeHandlesOf', run: (db, c) => overview.homeHandlesOf(db, c) },
    { fn: 'headlineSubjects', run: (db, c) => overview.headlineSubjects(db, c) },
    { fn: 'watchedAccounts', run: (db, c) => overview.watchedAccounts(db, c) },
    { fn: 'postsPerQueryHour', run: (db, c) => overview.postsPerQueryHour(db, c, whole) },
    ...[whole, most].map(
      (window): DumpCase => ({
        fn: 'windowTotals',
        label: plan({ window_start: start, window_end: end } as Campaign, window).strategy,
        run: (db, c) => overview.windowTotals(db, c, plan(c, window), 'all'),
      }),
    ),
    { fn: 'windowTotals', label: 'x', run: (db, c) => overview.windowTotals(db, c, plan(c, day), 'x') },
    { fn: 'homeTotals', run: (db, c) => overview.homeTotals(db, c, day, ['1001']) },
    { fn: 'mostEngagingPosts', run: (db, c) => overview.mostEngagingPosts(db, c, whole, 10, 'all') },
    {
      fn: 'mostEngagingPosts',
      label: 'x',
      run: (db, c) => overview.mostEngagingPosts(db, c, whole, 10, 'x'),
    },
  ],
  'run-log-repository': [
    { fn: 'lastCollectionEnd', run: (db, c) => runLog.lastCollectionEnd(db, c.id) },
    { fn: 'lastCollectionEndQuery', run: (db, c) => runLog.lastCollectionEndQuery(db, c.id).execute() },
    { fn: 'recentRuns', run: (db) => runLog.recentRuns(db, 30) },
    { fn: 'requestCounts', run: (db) => runLog.requestCounts(db, asOf) },
  ],
  'account-repository': [
    { fn: 'findAccount', run: (db) => accounts.findAccount(db, 'x', 'OpenData_Forum') },
    { fn: 'campaignFigures', run: (db, c) => accounts.campaignFigures(db, c, '1001') },
    {
      fn: 'topPostsOf',
      run: (db, c) =>
        accounts.topPostsOf(db, c, { id: '1001', network: 'x', username: 'OpenData_Forum', name: 'Forum' }),
    },
  ],
  'campaign-repository': [
    { fn: 'findCampaign', run: (db) => campaigns.findCampaign(db, 'ogp16') },
    { fn: 'campaignById', run: (db, c) => campaigns.campaignById(db, c.id) },
    { fn: 'listCampaigns', run: (db) => campaigns.listCampaigns(db) },
    { fn: 'activeQueries', run: (db, c) => campaigns.activeQueries(db, c.id) },
    { fn: 'findQuery', run: (db) => campaigns.findQuery(db, 1) },
    { fn: 'queriesOf', run: (db, c) => campaigns.queriesOf(db, c.id) },
    { fn: 'watchlist', run: (db, c) => campaigns.watchlist(db, c.id) },
    { fn: 'peersOf', run: (db, c) => campaigns.peersOf(db, c.id) },
    { fn: 'adminLists', run: (db, c) => campaigns.adminLists(db, c.id) },
    {
      fn: 'saveCampaign',
      label: 'an existing slug',
      run: (db, c) =>
        campaigns.saveCampaign(db, c.slug, {
          name: c.name,
          timezone: c.timezone,
          window_start: c.window_start,
          window_end: c.window_end,
          home_username: c.home_username,
          schedule: JSON.stringify(c.schedule),
          budget_monthly_usd: null,
          updated_at: c.updated_at,
        }),
    },
    {
      fn: 'activateQueries',
      run: (db, c) => campaigns.activateQueries(db, c.id, [{ network: 'x', instance: '', query: '#OGP16' }]),
    },
    { fn: 'retireQueries', run: (db, c) => campaigns.retireQueries(db, c.id, [-1]) },
    { fn: 'entitiesOf', run: (db, c) => campaigns.entitiesOf(db, c.id) },
    {
      fn: 'saveEntities',
      run: (db, c) =>
        campaigns.saveEntities(db, c.id, [
          { name: 'OpenData_Forum', role: 'home', accounts: [{ network: 'x', username: 'OpenData_Forum' }] },
          { name: 'Peer_One', role: 'peer', accounts: [{ network: 'x', username: 'Peer_One' }] },
        ]),
    },
    {
      fn: 'addPeer',
      label: 'already on the watchlist',
      run: (db, c) => campaigns.addPeer(db, c.id, 'peer_one'),
    },
    {
      fn: 'removePeer',
      label: 'the home account',
      run: (db, c) => campaigns.removePeer(db, c.id, 'opendata_forum'),
    },
    { fn: 'addQuery', label: 'already active', run: (db, c) => campaigns.addQuery(db, c.id, '#OGP16') },
    { fn: 'retireQuery', label: 'no such query', run: (db, c) => campaigns.retireQuery(db, c.id, -1) },
  ],
  'alerts-repository': [
    {
      fn: 'saveAlertSettingsRow',
      label: 'settings, then none',
      run: async (db, c) => {
        await alerts.saveAlertSettingsRow(db, c.id, {
          webhook_url: 'https://hooks.example/x',
          language: 'en',
          rank_metrics: ['posts'],
          follower_milestones: [500],
        });
        await alerts.saveAlertSettingsRow(db, c.id, undefined);
      },
    },
    { fn: 'alertSettingsOf', run: (db, c) => alerts.alertSettingsOf(db, c.id) },
    {
      fn: 'lockMark',
      run: (db, c) => db.transaction().execute((trx) => alerts.lockMark(trx, c.id, 'rank:posts')),
    },
    { fn: 'saveMark', run: (db, c) => alerts.saveMark(db, c.id, 'rank:posts', 3, asOf) },
    {
      fn: 'createAlert',
      run: (db, c) => alerts.createAlert(db, c.id, { key: 'rank:posts:up:3', text: 'up' }, asOf),
    },
    { fn: 'claimNextAlert', run: (db, c) => alerts.claimNextAlert(db, c.id, 5) },
    { fn: 'alertFailed', run: (db) => alerts.alertFailed(db, '0', 'unreachable') },
    { fn: 'alertSent', run: (db) => alerts.alertSent(db, '0') },
  ],
  'consistent-read': [{ fn: 'inSnapshot', run: (db) => inSnapshot(db, async () => undefined) }],
};
