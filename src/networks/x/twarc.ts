import { z } from 'zod';
import type { XPost, XUser } from './types.ts';
import { mapEntries, toPost, toUser } from './wire.ts';

/**
 * twarc2's files, line by line (https://twarc-project.readthedocs.io): `twarc2 search` writes one X
 * API response page per line (`data`, `includes`, `errors`, `meta`) with a `__twarc` key it adds
 * (`url`, `version`, `retrieved_at`); `twarc2 flatten` writes one post per line with its `author` and
 * the other expansions inline, and the same `__twarc`. Each line says which it is: a page has `data`
 * or `meta`, a flattened post its own `id` and `text`.
 */
export interface TwarcLine {
  /** posts the line holds as results (`data`): they join the campaign */
  posts: XPost[];
  /** posts the results refer to (`includes.tweets`, inline `referenced_tweets`): stored, not matched */
  referenced: XPost[];
  users: XUser[];
  /** when twarc read it: the instant its metrics describe */
  retrievedAt: Date;
  /** entries that did not parse (a post without metrics, a user without a username) */
  skipped: number;
}

const twarcMeta = z.object({ retrieved_at: z.string() });
const lineWire = z.object({
  __twarc: twarcMeta,
  data: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  includes: z
    .object({ users: z.array(z.unknown()).optional(), tweets: z.array(z.unknown()).optional() })
    .optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  id: z.string().optional(),
  text: z.string().optional(),
  author: z.unknown().optional(),
  referenced_tweets: z.array(z.record(z.string(), z.unknown())).optional(),
  in_reply_to_user: z.unknown().optional(),
  entities: z.object({ mentions: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
});

/** A line that is not one of twarc2's: the reason, for the import's report. */
export class TwarcLineError extends Error {
  override name = 'TwarcLineError';
}

/** Reads one line of a twarc2 file; throws TwarcLineError when it is neither shape. */
export function parseTwarcLine(text: string): TwarcLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TwarcLineError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = lineWire.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TwarcLineError(
      `not a twarc2 line: ${issue?.path.join('.') || 'line'}: ${issue?.message ?? ''}`,
    );
  }
  const line = parsed.data;
  const retrievedAt = new Date(line.__twarc.retrieved_at);
  if (Number.isNaN(retrievedAt.getTime())) {
    throw new TwarcLineError(`__twarc.retrieved_at is not a date: ${line.__twarc.retrieved_at}`);
  }
  if (line.data !== undefined || line.meta !== undefined) {
    const data = Array.isArray(line.data) ? line.data : line.data ? [line.data] : [];
    const posts = mapEntries(data, toPost);
    const referenced = mapEntries(line.includes?.tweets, toPost);
    const users = mapEntries(line.includes?.users, toUser);
    return {
      posts: posts.items,
      referenced: referenced.items,
      users: users.items,
      retrievedAt,
      skipped: posts.skipped + referenced.skipped + users.skipped,
    };
  }
  if (line.id !== undefined && line.text !== undefined) return flattened(raw, line, retrievedAt);
  throw new TwarcLineError('not a twarc2 line: neither a page (data, meta) nor a flattened post (id, text)');
}

/** `twarc2 flatten`: the post itself, its author and the expansions it carries inline. */
function flattened(raw: unknown, line: z.infer<typeof lineWire>, retrievedAt: Date): TwarcLine {
  const post = toPost(raw);
  const author = toUser(line.author);
  let skipped = (post ? 0 : 1) + (author ? 0 : 1);
  const users: XUser[] = author ? [author] : [];
  const referenced: XPost[] = [];
  for (const ref of line.referenced_tweets ?? []) {
    // Flattened references carry the referenced post's fields (and its author) beside type and id.
    if (ref.text === undefined) continue;
    const refPost = toPost(ref);
    const refAuthor = toUser(ref.author);
    if (refPost && refAuthor) {
      referenced.push(refPost);
      users.push(refAuthor);
    } else skipped++;
  }
  return { posts: post ? [post] : [], referenced, users, retrievedAt, skipped };
}
