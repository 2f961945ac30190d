/** A parsed X search query. Strings are lower-cased: every comparison of X's query language ignores case. */
export type QueryNode =
  | { type: 'and'; children: QueryNode[] }
  | { type: 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  | { type: 'hashtag'; tag: string }
  | { type: 'mention'; username: string }
  /** A bare word; several tokens when the word holds punctuation (`open-data`), matched as a phrase. */
  | { type: 'keyword'; tokens: string[] }
  | { type: 'phrase'; tokens: string[] }
  | { type: 'from'; user: string }
  | { type: 'to'; user: string }
  | { type: 'is'; value: IsValue }
  | { type: 'has'; value: HasValue }
  | { type: 'lang'; code: string }
  | { type: 'conversation_id'; id: string };

export const IS_VALUES = ['retweet', 'reply', 'quote', 'verified', 'nullcast'] as const;
export type IsValue = (typeof IS_VALUES)[number];

export const HAS_VALUES = [
  'hashtags',
  'mentions',
  'links',
  'media',
  'images',
  'videos',
  'geo',
  'cashtags',
] as const;
export type HasValue = (typeof HAS_VALUES)[number];

/** Lower-cased word tokens, split the way X tokenises post bodies for keyword matching. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}_]+/u)
    .filter((token) => token.length > 0);
}
