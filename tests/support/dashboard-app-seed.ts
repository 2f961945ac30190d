import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import type { ManualClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';

export const xss = '<script>alert(1)</script>';

export const campaignFile = parseCampaignFile(
  `slug: ogp16
name: Local Government Open Data Forum — OGP Global Summit 2016
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16", "#OGPSummit"]
watchlist: [alice]
`,
  'ogp16.yaml',
);

// Posts in the window: alice 5, bob 4, carol 4 (a tie), the home account 2; dave only reposts.
const authors = [
  { id: '1', username: 'alice', name: 'Alice', posts: 5, image: 'https://pbs.twimg.com/a.jpg' },
  { id: '2', username: 'bob', name: 'Bob', posts: 4, image: 'javascript:alert(1)' },
  { id: '3', username: 'carol', name: xss, posts: 4, image: null },
  { id: '100', username: 'OpenData_Forum', name: 'Open Data Forum', posts: 2, image: null },
  { id: '4', username: 'dave', name: 'Dave', posts: 0, image: null },
];

/** The campaign of dashboard-app.test.ts, every figure known: ranks, ties, a name that is markup. */
export async function seedDashboardCampaign(db: Db, _clock: ManualClock): Promise<void> {
  const seenAt = new Date('2016-12-07T08:00:00Z');
  await db
    .insertInto('accounts')
    .values(
      authors.map((a) => ({
        id: a.id,
        username: a.username,
        name: a.name,
        description: null,
        profile_image_url: a.image,
        verified: false,
        created_at: null,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      })),
    )
    .execute();
  const { campaignId } = await applyCampaign(db, campaignFile, seenAt);
  const queries = await db
    .selectFrom('campaign_queries')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute();
  const queryId = queries[0]?.id ?? 0;

  let nextId = 1000;
  const post = (authorId: string, createdAt: string, kind: 'post' | 'repost' = 'post') => ({
    id: String(nextId++),
    author_id: authorId,
    created_at: createdAt,
    text: `${xss} #OGP16`,
    lang: 'en',
    kind,
    hashtags: ['ogp16'],
    mentions: [],
    like_count: 0,
    repost_count: 0,
    reply_count: 0,
    quote_count: 0,
    metrics_observed_at: createdAt,
    first_seen_at: createdAt,
  });
  const posts = [
    ...authors.flatMap((a) => Array.from({ length: a.posts }, () => post(a.id, '2016-12-08T09:00:00Z'))),
    post('4', '2016-12-08T09:00:00Z', 'repost'),
    post('4', '2016-12-01T09:00:00Z'), // before the window
  ];
  await db.insertInto('posts').values(posts).execute();
  await db
    .insertInto('campaign_posts')
    .values(
      posts.map((p) => ({ campaign_id: campaignId, query_id: queryId, post_id: p.id, matched_at: seenAt })),
    )
    .execute();

  // Hourly buckets in Paris time: 10:00 keeps its last reading (1,100), 11:00 has 1,234.
  const snapshot = (observedAt: string, followers: number) => ({
    account_id: '100',
    observed_at: observedAt,
    followers_count: followers,
    following_count: 10,
    post_count: 50,
    listed_count: 1,
  });
  await db
    .insertInto('account_snapshots')
    .values([
      snapshot('2016-12-08T09:10:00Z', 1000),
      snapshot('2016-12-08T09:40:00Z', 1100),
      snapshot('2016-12-08T10:20:00Z', 1234),
    ])
    .execute();
}
