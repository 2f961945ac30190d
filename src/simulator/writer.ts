import type { Draft } from './drafts.ts';
import { drawEngagement } from './engagement.ts';
import { extractHashtags, extractMentions } from './entities.ts';
import type { Profile } from './population.ts';
import { type Random, WeightedSampler } from './random.ts';
import { SimPostRecord, type SimUserRecord } from './records.ts';
import { HOUR_MS } from './rhythm.ts';
import { SNOWFLAKE_LOW_LIMIT, snowflakeId } from './snowflake.ts';
import { composeText, type Lang, pickCampaignTags, repostText } from './text.ts';
import type { PostKind } from './types.ts';

/** Replies, quotes and reposts pick among this many most recent posts (attention fades). */
const RECENT_POOL = 600;
const NO_ENGAGEMENT = { like: 0, repost: 0, reply: 0, quote: 0, bookmark: 0, impression: 0 };

/**
 * Turns drafts into posts, in time order, so that replies, quotes and reposts only refer to earlier
 * posts. Every text is checked against its category: a campaign post carries a campaign hashtag, no
 * other post does (reposts aside, which never count). Holds only the latest originals, never all posts.
 */
export class PostWriter {
  readonly #random: Random;
  readonly #users: readonly SimUserRecord[];
  readonly #usersById: Map<string, SimUserRecord>;
  readonly #profiles: readonly Profile[];
  readonly #campaignTags: ReadonlySet<string>;
  readonly #mentionable: WeightedSampler;
  /** Ring buffer of the latest originals (replies, quotes and reposts aim at them). */
  readonly #recent: SimPostRecord[] = [];
  #recentNext = 0;
  #previousMs = Number.NEGATIVE_INFINITY;
  #previousLow = 0;

  constructor(
    random: Random,
    users: readonly SimUserRecord[],
    profiles: readonly Profile[],
    campaignTags: ReadonlySet<string>,
  ) {
    this.#random = random;
    this.#users = users;
    this.#usersById = new Map(users.map((user) => [user.id, user]));
    this.#profiles = profiles;
    this.#campaignTags = campaignTags;
    const weights = profiles.map((profile, index) => (index === 0 ? 0 : Math.sqrt(profile.followers)));
    // The home account gets about one mention in fifty: it is one of the event's voices.
    weights[0] = weights.reduce((sum, w) => sum + w, 0) / 50;
    this.#mentionable = new WeightedSampler(weights);
  }

  write(draft: Draft): SimPostRecord {
    const { id, ms } = this.#nextId(draft.ms);
    const author = this.#users[draft.author];
    const profile = this.#profiles[draft.author];
    if (!author || !profile) throw new Error(`draft by unknown account ${draft.author}`);
    // X's created_at is rounded down to the second; the id keeps the millisecond.
    const createdAt = new Date(ms - (ms % 1000));
    const original = draft.category === 'repost' ? this.#pickRecent() : undefined;
    if (original) return this.#repost(id, ms, createdAt, author, original);
    // A repost with nothing before it to repost (the very first instants) becomes an off-topic post.
    const matching =
      draft.category === 'campaign' || (draft.category === 'outside' && this.#random.chance(0.55));
    const post = this.#original(id, ms, createdAt, author, profile, draft, matching);
    this.#remember(post);
    return post;
  }

  /** Ascending ids for ascending instants; several posts in one millisecond get increasing low bits. */
  #nextId(draftMs: number): { id: string; ms: number } {
    let ms = Math.max(draftMs, this.#previousMs);
    let low: number;
    if (ms === this.#previousMs) {
      low = this.#previousLow + 1 + this.#random.int(15);
      if (low >= SNOWFLAKE_LOW_LIMIT) {
        ms += 1;
        low = this.#random.int(1 << 20);
      }
    } else {
      low = this.#random.int(1 << 21);
    }
    this.#previousMs = ms;
    this.#previousLow = low;
    return { id: snowflakeId(ms, low).toString(), ms };
  }

  #repost(
    id: string,
    ms: number,
    createdAt: Date,
    author: SimUserRecord,
    original: SimPostRecord,
  ): SimPostRecord {
    const originalAuthor = this.#usersById.get(original.authorId);
    const text = repostText(originalAuthor?.username ?? original.authorId, original.text);
    return new SimPostRecord(
      {
        id,
        authorId: author.id,
        createdAt,
        text,
        lang: original.lang,
        kind: 'repost',
        referencedId: original.id,
        conversationId: id,
        hashtags: extractHashtags(text).map((h) => h.tag),
        mentions: extractMentions(text).map((m) => m.username),
      },
      ms,
      NO_ENGAGEMENT,
      HOUR_MS,
      original,
    );
  }

  #original(
    id: string,
    ms: number,
    createdAt: Date,
    author: SimUserRecord,
    profile: Profile,
    draft: Draft,
    matching: boolean,
  ): SimPostRecord {
    const random = this.#random;
    let kind = this.#drawKind(draft.category === 'offtopic');
    const target = kind === 'post' ? undefined : this.#pickRecent();
    if (!target) kind = 'post';
    const targetAuthor = target ? this.#usersById.get(target.authorId) : undefined;
    const lang: Lang = random.chance(0.85) ? profile.lang : profile.lang === 'en' ? 'fr' : 'en';
    const mentions = this.#drawMentions(author, kind);
    // People type handles in their own case now and then; X keeps the spelling in the text.
    const asWritten = (username: string) => (random.chance(0.15) ? username.toLowerCase() : username);
    const text = composeText(random, {
      lang,
      kind,
      campaignTags: matching ? pickCampaignTags(random) : [],
      decoy: !matching && random.chance(0.25),
      mentions: mentions.map(asWritten),
      ...(kind === 'reply' && targetAuthor && targetAuthor !== author
        ? { replyTo: asWritten(targetAuthor.username) }
        : {}),
    });
    const hashtags = extractHashtags(text).map((h) => h.tag);
    if (hashtags.some((tag) => this.#campaignTags.has(tag.toLowerCase())) !== matching) {
      throw new Error(`generated text contradicts its category (${draft.category}): ${text}`);
    }
    return new SimPostRecord(
      {
        id,
        authorId: author.id,
        createdAt,
        text,
        lang,
        kind,
        referencedId: target?.id,
        conversationId: kind === 'reply' && target ? target.conversationId : id,
        hashtags,
        mentions: extractMentions(text).map((m) => m.username),
      },
      ms,
      drawEngagement(random, profile.followers, kind),
      HOUR_MS * 1.5 * random.logNormal(0, 0.4),
    );
  }

  /** Off-topic posts in the window are mostly replies (conversations drift); the rest mostly posts. */
  #drawKind(offTopic: boolean): Exclude<PostKind, 'repost'> {
    const r = this.#random.next();
    const [reply, quote] = offTopic ? [0.6, 0.7] : [0.2, 0.28];
    return r < reply ? 'reply' : r < quote ? 'quote' : 'post';
  }

  #drawMentions(author: SimUserRecord, kind: PostKind): string[] {
    const mentions: string[] = [];
    if (!this.#random.chance(kind === 'reply' ? 0.1 : 0.35)) return mentions;
    const wanted = this.#random.chance(0.3) ? 2 : 1;
    for (let attempt = 0; attempt < 4 && mentions.length < wanted; attempt++) {
      const mentioned = this.#users[this.#mentionable.sample(this.#random)];
      if (!mentioned || mentioned === author || mentions.includes(mentioned.username)) continue;
      mentions.push(mentioned.username);
    }
    return mentions;
  }

  #remember(post: SimPostRecord): void {
    if (this.#recent.length < RECENT_POOL) {
      this.#recent.push(post);
    } else {
      this.#recent[this.#recentNext] = post;
      this.#recentNext = (this.#recentNext + 1) % RECENT_POOL;
    }
  }

  /** A recent original, favouring the ones that draw the most likes (tournament of three). */
  #pickRecent(): SimPostRecord | undefined {
    if (this.#recent.length === 0) return undefined;
    let best: SimPostRecord | undefined;
    for (let round = 0; round < 3; round++) {
      const candidate = this.#random.pick(this.#recent);
      if (!best || candidate.eventualLikes > best.eventualLikes) best = candidate;
    }
    return best;
  }
}

/** Lets each account count its posts at any instant (tweet_count). */
export function attachPostTimes(users: readonly SimUserRecord[], posts: readonly SimPostRecord[]): void {
  const times = new Map<string, number[]>();
  for (const post of posts) {
    const list = times.get(post.authorId);
    if (list) list.push(post.createdAt.getTime());
    else times.set(post.authorId, [post.createdAt.getTime()]);
  }
  for (const user of users) user.attachPostTimes(Float64Array.from(times.get(user.id) ?? []));
}
