import type { PostKind, SimPost, SimUser } from '../../types.ts';
import { type QueryNode, tokenize } from './ast.ts';
import { parseQuery } from './parse.ts';

/** What a query can look at in a post; strings lower-cased. */
export interface QueryTarget {
  readonly text: string;
  readonly lang: string;
  readonly kind: PostKind;
  readonly hashtags: readonly string[];
  readonly mentions: readonly string[];
  readonly authorId: string;
  readonly authorUsername: string;
  readonly authorVerified: boolean;
  readonly inReplyToUsername: string | undefined;
  readonly inReplyToUserId: string | undefined;
  readonly conversationId: string;
  tokens(): readonly string[];
}

/**
 * The id of the account that holds a (lower-cased) username now, if any. X resolves `from:` and `to:`
 * to accounts: after a rename the new handle finds the account's earlier posts, the old one nothing.
 */
export type UserResolver = (username: string) => string | undefined;

export interface CompiledQuery {
  readonly query: string;
  readonly ast: QueryNode;
  /** Without `users`, `from:` and `to:` compare the usernames the posts were written under. */
  test(target: QueryTarget, users?: UserResolver): boolean;
}

/** Parses once, tests many posts. Throws QuerySyntaxError for a query X would refuse. */
export function compileQuery(query: string): CompiledQuery {
  const ast = parseQuery(query);
  return { query, ast, test: (target, users) => evaluate(ast, target, users) };
}

/** A post as a query sees it. `repliedTo` is the author of the post a reply answers. */
export function postTarget(post: SimPost, author: SimUser, repliedTo: SimUser | undefined): QueryTarget {
  let tokens: string[] | undefined;
  return {
    text: post.text,
    lang: post.lang,
    kind: post.kind,
    hashtags: post.hashtags.map((tag) => tag.toLowerCase()),
    mentions: post.mentions.map((username) => username.toLowerCase()),
    authorId: author.id,
    authorUsername: author.username.toLowerCase(),
    authorVerified: author.verified,
    inReplyToUsername: repliedTo?.username.toLowerCase(),
    inReplyToUserId: repliedTo?.id,
    conversationId: post.conversationId,
    tokens: () => {
      tokens ??= tokenize(post.text);
      return tokens;
    },
  };
}

function evaluate(node: QueryNode, target: QueryTarget, users: UserResolver | undefined): boolean {
  switch (node.type) {
    case 'and':
      return node.children.every((child) => evaluate(child, target, users));
    case 'or':
      return node.children.some((child) => evaluate(child, target, users));
    case 'not':
      return !evaluate(node.child, target, users);
    case 'hashtag':
      return target.hashtags.includes(node.tag);
    case 'mention':
      return target.mentions.includes(node.username);
    case 'keyword':
    case 'phrase':
      return containsSequence(target.tokens(), node.tokens);
    case 'from':
      if (users) return target.authorId === (users(node.user) ?? node.user);
      return target.authorUsername === node.user || target.authorId === node.user;
    case 'to':
      if (users) return target.inReplyToUserId === (users(node.user) ?? node.user);
      return target.inReplyToUsername === node.user;
    case 'is':
      switch (node.value) {
        case 'retweet':
          return target.kind === 'repost';
        case 'reply':
          return target.kind === 'reply';
        case 'quote':
          return target.kind === 'quote';
        case 'verified':
          return target.authorVerified;
        case 'nullcast':
          return false;
      }
      return false;
    case 'has':
      if (node.value === 'hashtags') return target.hashtags.length > 0;
      if (node.value === 'mentions') return target.mentions.length > 0;
      // Scenario posts carry no links, media, places or cashtags.
      return false;
    case 'lang':
      return target.lang === node.code;
    case 'conversation_id':
      return target.conversationId === node.id;
  }
}

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return true;
  }
  return false;
}
