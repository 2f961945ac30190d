/**
 * Hashtags and mentions found in a post's text, with X's offsets: code points, not UTF-16 units
 * (an emoji before a hashtag shifts X's `start` by one where JavaScript's index shifts by two).
 */
export interface HashtagEntity {
  start: number;
  end: number;
  tag: string;
}

export interface MentionEntity {
  start: number;
  end: number;
  username: string;
}

// A hashtag starts after a non-word character and must contain a letter (#2016 is not a hashtag on X).
const HASHTAG = /(^|[^\p{L}\p{M}\p{N}_&])[#＃]([\p{L}\p{M}\p{N}_]+)/gu;
const MENTION = /(^|[^\p{L}\p{M}\p{N}_@＠])[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])/gu;
const HAS_LETTER = /[\p{L}\p{M}]/u;

export function extractHashtags(text: string): HashtagEntity[] {
  const found: HashtagEntity[] = [];
  for (const match of text.matchAll(HASHTAG)) {
    const tag = match[2] ?? '';
    if (!HAS_LETTER.test(tag)) continue;
    const start = codePointOffset(text, (match.index ?? 0) + (match[1] ?? '').length);
    found.push({ start, end: start + 1 + codePointLength(tag), tag });
  }
  return found;
}

export function extractMentions(text: string): MentionEntity[] {
  const found: MentionEntity[] = [];
  for (const match of text.matchAll(MENTION)) {
    const username = match[2] ?? '';
    const start = codePointOffset(text, (match.index ?? 0) + (match[1] ?? '').length);
    found.push({ start, end: start + 1 + username.length, username });
  }
  return found;
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function codePointOffset(text: string, utf16Index: number): number {
  return codePointLength(text.slice(0, utf16Index));
}
