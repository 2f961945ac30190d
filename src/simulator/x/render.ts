import { extractHashtags, extractMentions } from '../entities.ts';
import type { SimPost, SimUser } from '../types.ts';
import type { FieldSelection } from './fields.ts';
import { type ResourceProblem, resourceNotFound } from './problems.ts';
import { avatarPath } from './routes/avatars.ts';
import type { SimulatorState } from './state.ts';

/** A post on the wire. Only `id`, `text` and `edit_history_tweet_ids` come unasked. */
export interface WirePost {
  id: string;
  text: string;
  edit_history_tweet_ids: string[];
  author_id?: string;
  created_at?: string;
  conversation_id?: string;
  lang?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: Array<{ type: 'replied_to' | 'quoted' | 'retweeted'; id: string }>;
  entities?: {
    hashtags?: Array<{ start: number; end: number; tag: string }>;
    mentions?: Array<{ start: number; end: number; username: string; id?: string }>;
  };
  public_metrics?: {
    retweet_count: number;
    reply_count: number;
    like_count: number;
    quote_count: number;
    bookmark_count: number;
    impression_count: number;
  };
  possibly_sensitive?: boolean;
  reply_settings?: string;
  edit_controls?: { edits_remaining: number; is_edit_eligible: boolean; editable_until: string };
}

/** A user on the wire. Only `id`, `name` and `username` come unasked. */
export interface WireUser {
  id: string;
  name: string;
  username: string;
  created_at?: string;
  description?: string;
  profile_image_url?: string;
  protected?: boolean;
  verified?: boolean;
  url?: string;
  public_metrics?: {
    followers_count: number;
    following_count: number;
    tweet_count: number;
    listed_count: number;
  };
}

export interface Includes {
  users?: WireUser[];
  tweets?: WirePost[];
}

const REFERENCE_TYPE = { reply: 'replied_to', quote: 'quoted', repost: 'retweeted' } as const;
const EDIT_WINDOW_MS = 60 * 60 * 1000;

/** Turns scenario objects into X's JSON for one request: its field selection, its instant. */
export class Renderer {
  constructor(
    readonly state: SimulatorState,
    readonly now: Date,
    readonly fields: FieldSelection,
  ) {}

  post(post: SimPost): WirePost {
    const wanted = this.fields.tweet;
    const wire: WirePost = { id: post.id, text: post.text, edit_history_tweet_ids: [post.id] };
    if (wanted.has('author_id')) wire.author_id = post.authorId;
    if (wanted.has('created_at')) wire.created_at = post.createdAt.toISOString();
    if (wanted.has('conversation_id')) wire.conversation_id = post.conversationId;
    if (wanted.has('lang')) wire.lang = post.lang;
    if (wanted.has('in_reply_to_user_id')) {
      const repliedTo = this.#repliedToUser(post);
      if (repliedTo) wire.in_reply_to_user_id = repliedTo.id;
    }
    if (wanted.has('referenced_tweets') && post.kind !== 'post' && post.referencedId) {
      wire.referenced_tweets = [{ type: REFERENCE_TYPE[post.kind], id: post.referencedId }];
    }
    if (wanted.has('entities')) {
      const entities = this.#entities(post);
      if (entities) wire.entities = entities;
    }
    if (wanted.has('public_metrics')) {
      const m = post.metricsAt(this.now);
      wire.public_metrics = {
        retweet_count: m.repost,
        reply_count: m.reply,
        like_count: m.like,
        quote_count: m.quote,
        bookmark_count: m.bookmark,
        impression_count: m.impression,
      };
    }
    if (wanted.has('possibly_sensitive')) wire.possibly_sensitive = false;
    if (wanted.has('reply_settings')) wire.reply_settings = 'everyone';
    if (wanted.has('edit_controls')) {
      const until = post.createdAt.getTime() + EDIT_WINDOW_MS;
      wire.edit_controls = {
        edits_remaining: 5,
        is_edit_eligible: post.kind !== 'repost',
        editable_until: new Date(until).toISOString(),
      };
    }
    return wire;
  }

  user(user: SimUser): WireUser {
    const wanted = this.fields.user;
    const wire: WireUser = { id: user.id, name: user.name, username: user.username };
    if (wanted.has('created_at')) wire.created_at = user.createdAt.toISOString();
    if (wanted.has('description')) wire.description = user.description;
    if (wanted.has('profile_image_url')) {
      const { origin } = this.state;
      wire.profile_image_url = origin ? `${origin}${avatarPath(user.id)}` : user.profileImageUrl;
    }
    if (wanted.has('protected')) wire.protected = false;
    if (wanted.has('verified')) wire.verified = user.verified;
    if (wanted.has('url')) wire.url = '';
    if (wanted.has('public_metrics')) {
      wire.public_metrics = {
        followers_count: user.followersAt(this.now),
        following_count: user.followingCount,
        tweet_count: user.postCountAt(this.now),
        listed_count: user.listedCount,
      };
    }
    return wire;
  }

  /**
   * `includes` for these posts per the requested expansions (undefined when there is nothing to include),
   * and the partial errors of what could not be expanded: a referenced post deleted since, a mentioned or
   * replied-to account suspended, a mentioned username nobody holds any more.
   */
  includesFor(posts: readonly SimPost[]): { includes: Includes | undefined; errors: ResourceProblem[] } {
    const { state } = this;
    const expansions = this.fields.expansions;
    const users = new Map<string, SimUser>();
    const tweets = new Map<string, SimPost>();
    const errors = new Map<string, ResourceProblem>();
    const addUser = (user: SimUser | undefined) => {
      if (user && !users.has(user.id)) users.set(user.id, user);
    };
    const addError = (problem: ResourceProblem) =>
      errors.set(`${problem.parameter}:${problem.value}`, problem);
    if (expansions.has('author_id')) for (const post of posts) addUser(state.userNow(post.authorId));
    for (const post of posts) {
      if (expansions.has('in_reply_to_user_id')) {
        const repliedTo = this.#repliedToUser(post);
        if (repliedTo) {
          const user = state.userNow(repliedTo.id);
          if (user) addUser(user);
          else addError(state.userProblem('in_reply_to_user_id', repliedTo.id, false));
        }
      }
      if (expansions.has('entities.mentions.username')) {
        for (const username of post.mentions) {
          const user = state.userNowByUsername(username);
          if (user) addUser(user);
          else addError(state.userProblem('entities.mentions.username', username, true));
        }
      }
      if (!post.referencedId) continue;
      const referenced = state.postNow(post.referencedId);
      if (!referenced) {
        if (expansions.has('referenced_tweets.id'))
          addError(resourceNotFound('tweet', 'referenced_tweets.id', post.referencedId));
        continue;
      }
      if (expansions.has('referenced_tweets.id') && !tweets.has(referenced.id)) {
        tweets.set(referenced.id, referenced);
      }
      if (expansions.has('referenced_tweets.id.author_id')) addUser(state.userNow(referenced.authorId));
    }
    const includes: Includes = {};
    if (users.size > 0) includes.users = [...users.values()].map((user) => this.user(user));
    if (tweets.size > 0) includes.tweets = [...tweets.values()].map((post) => this.post(post));
    return {
      includes: users.size > 0 || tweets.size > 0 ? includes : undefined,
      errors: [...errors.values()],
    };
  }

  /** The account replied to, known from the reply itself even when the parent post is gone. */
  #repliedToUser(post: SimPost): SimUser | undefined {
    if (post.kind !== 'reply' || !post.referencedId) return undefined;
    const parent = this.state.index.post(post.referencedId);
    return parent ? this.state.index.user(parent.authorId) : undefined;
  }

  #entities(post: SimPost): WirePost['entities'] {
    const hashtags = extractHashtags(post.text);
    const mentions = extractMentions(post.text).map((mention) => {
      const id = this.state.userNowByUsername(mention.username)?.id;
      return id === undefined ? mention : { ...mention, id };
    });
    if (hashtags.length === 0 && mentions.length === 0) return undefined;
    return {
      ...(hashtags.length > 0 ? { hashtags } : {}),
      ...(mentions.length > 0 ? { mentions } : {}),
    };
  }
}
