import { z } from 'zod';
import type { PostKind, XPost, XResourceProblem, XUser } from './types.ts';

/**
 * The X API v2 wire format, validated entry by entry: a malformed post or user is skipped and
 * counted, never allowed to sink the page it came with.
 */

const id = z.string().regex(/^\d{1,20}$/, 'expected a numeric id string');
const count = z.number().int().nonnegative();

// The 2026 spec renames some metrics (retweet_count → repost_count, tweet_count → post_count);
// live traffic still sends the classic names. Read both so a rename cannot zero a metric.
const postMetricsWire = z.object({
  retweet_count: count.optional(),
  repost_count: count.optional(),
  reply_count: count,
  like_count: count,
  quote_count: count,
  bookmark_count: count.optional(),
  impression_count: count.optional(),
});

const postWire = z.object({
  id,
  text: z.string(),
  author_id: id,
  created_at: z.iso.datetime({ offset: true }),
  lang: z.string().optional(),
  conversation_id: id.optional(),
  referenced_tweets: z.array(z.object({ type: z.string(), id })).optional(),
  entities: z
    .object({
      hashtags: z.array(z.object({ tag: z.string() })).optional(),
      mentions: z.array(z.object({ username: z.string(), start: z.number().optional() })).optional(),
    })
    .optional(),
  public_metrics: postMetricsWire,
});

const userWire = z.object({
  id,
  username: z.string(),
  name: z.string(),
  description: z.string().optional(),
  profile_image_url: z.string().optional(),
  verified: z.boolean().optional(),
  created_at: z.iso.datetime({ offset: true }).optional(),
  public_metrics: z
    .object({
      followers_count: count,
      following_count: count,
      tweet_count: count.optional(),
      post_count: count.optional(),
      listed_count: count,
    })
    .optional(),
});

const problemWire = z.object({
  type: z.string(),
  title: z.string().optional(),
  detail: z.string().optional(),
  resource_type: z.string().optional(),
  parameter: z.string().optional(),
  value: z.string().optional(),
});

/** The envelope of search, timeline and lookup responses; entries are checked one by one later. */
export const envelopeWire = z.object({
  data: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  includes: z.object({ users: z.array(z.unknown()).optional() }).optional(),
  errors: z.array(z.unknown()).optional(),
  meta: z
    .object({
      result_count: z.number().optional(),
      newest_id: z.string().optional(),
      oldest_id: z.string().optional(),
      next_token: z.string().optional(),
    })
    .optional(),
});
export type EnvelopeWire = z.infer<typeof envelopeWire>;

function kindOf(post: z.infer<typeof postWire>): { kind: PostKind; referencedPostId: string | null } {
  const refs = post.referenced_tweets ?? [];
  for (const [type, kind] of [
    ['retweeted', 'repost'],
    ['quoted', 'quote'],
    ['replied_to', 'reply'],
  ] as const) {
    const ref = refs.find((r) => r.type === type);
    if (ref) return { kind, referencedPostId: ref.id };
  }
  return { kind: 'post', referencedPostId: null };
}

export function toPost(raw: unknown): XPost | null {
  const parsed = postWire.safeParse(raw);
  if (!parsed.success) return null;
  const post = parsed.data;
  const { kind, referencedPostId } = kindOf(post);
  const m = post.public_metrics;
  const mentions = (post.entities?.mentions ?? [])
    // `RT @x: …` credits the reposted author at offset 3; that is attribution, not a mention.
    .filter((mention) => !(kind === 'repost' && mention.start === 3))
    .map((mention) => mention.username.toLowerCase());
  return {
    id: post.id,
    authorId: post.author_id,
    createdAt: new Date(post.created_at),
    text: post.text,
    lang: post.lang ?? null,
    kind,
    referencedPostId,
    conversationId: post.conversation_id ?? null,
    hashtags: [...new Set((post.entities?.hashtags ?? []).map((h) => h.tag.toLowerCase()))],
    mentions: [...new Set(mentions)],
    metrics: {
      like: m.like_count,
      repost: m.repost_count ?? m.retweet_count ?? 0,
      reply: m.reply_count,
      quote: m.quote_count,
      bookmark: m.bookmark_count ?? null,
      impression: m.impression_count ?? null,
    },
  };
}

export function toUser(raw: unknown): XUser | null {
  const parsed = userWire.safeParse(raw);
  if (!parsed.success) return null;
  const user = parsed.data;
  const m = user.public_metrics;
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    description: user.description ?? null,
    profileImageUrl: user.profile_image_url ?? null,
    verified: user.verified ?? null,
    createdAt: user.created_at ? new Date(user.created_at) : null,
    metrics: m
      ? {
          followers: m.followers_count,
          following: m.following_count,
          posts: m.post_count ?? m.tweet_count ?? 0,
          listed: m.listed_count,
        }
      : null,
  };
}

export function toProblem(raw: unknown): XResourceProblem | null {
  const parsed = problemWire.safeParse(raw);
  if (!parsed.success) return null;
  const p = parsed.data;
  // Match on the `/2/problems/<name>` suffix: the host is api.twitter.com or api.x.com.
  const problem = p.type.split('/problems/')[1] ?? p.type;
  return {
    problem,
    title: p.title ?? '',
    detail: p.detail ?? '',
    resourceType: p.resource_type ?? null,
    parameter: p.parameter ?? null,
    value: p.value ?? null,
    suspended: p.title === 'Forbidden' || /suspended/i.test(p.detail ?? ''),
  };
}

/** Maps every entry with `map`; returns what parsed and how many did not. */
export function mapEntries<T>(entries: unknown[] | undefined, map: (raw: unknown) => T | null) {
  const items: T[] = [];
  let skipped = 0;
  for (const raw of entries ?? []) {
    const item = map(raw);
    if (item) items.push(item);
    else skipped++;
  }
  return { items, skipped };
}
