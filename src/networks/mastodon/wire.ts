import { z } from 'zod';

/**
 * The parts of Mastodon's entities the tracker reads (docs.joinmastodon.org/entities/: Status, Account,
 * Mention, Tag, Quote, Error, Instance), checked on every answer. Fields the tracker does not read are
 * not checked here: a server adding or dropping them changes nothing. Fields added late are optional:
 * Account `uri` (4.2), Status `quotes_count` and `quote` (4.5).
 */
const count = z.number().int().nonnegative();
const id = z.string().min(1);
const datetime = z.iso.datetime({ offset: true });

export const accountWire = z.object({
  id,
  username: z.string().min(1),
  acct: z.string().min(1),
  display_name: z.string().default(''),
  note: z.string().default(''),
  url: z.string().nullish(),
  uri: z.string().min(1).optional(),
  avatar: z.string().nullish(),
  created_at: datetime.nullish(),
  followers_count: count,
  following_count: count,
  statuses_count: count,
});
export type AccountWire = z.infer<typeof accountWire>;

/** A mention names the account by its id on the instance that served the status, never by its uri. */
export const mentionWire = z.object({ id, username: z.string(), url: z.string(), acct: z.string() });
export type MentionWire = z.infer<typeof mentionWire>;

const tagWire = z.object({ name: z.string().min(1) });

const statusFields = {
  id,
  uri: z.string().min(1),
  url: z.string().nullish(),
  created_at: datetime,
  account: accountWire,
  content: z.string(),
  spoiler_text: z.string().default(''),
  language: z.string().nullish(),
  in_reply_to_id: z.string().nullish(),
  replies_count: count,
  reblogs_count: count,
  favourites_count: count,
  quotes_count: count.optional(),
  mentions: z.array(mentionWire).default([]),
  tags: z.array(tagWire).default([]),
};

const quotedStatusWire = z.object(statusFields);

/** Quote (full, with the quoted status) or ShallowQuote (its local id only); either has a `state`. */
const quoteWire = z.object({
  state: z.string(),
  quoted_status: quotedStatusWire.nullish(),
  quoted_status_id: z.string().nullish(),
});

export const originalStatusWire = z.object({ ...statusFields, quote: quoteWire.nullish() });
export type OriginalStatusWire = z.infer<typeof originalStatusWire>;

/** A status as timelines list it: a boost carries the boosted status in `reblog`. */
export const statusWire = originalStatusWire.extend({ reblog: originalStatusWire.nullish() });
export type StatusWire = z.infer<typeof statusWire>;

export const errorWire = z.object({ error: z.string(), error_description: z.string().optional() });

/** `/api/v2/instance` (4.0+) names the domain of local accounts; v1 calls it `uri`. */
export const instanceV2Wire = z.object({ domain: z.string().min(1) });
export const instanceV1Wire = z.object({ uri: z.string().min(1) });
