import { z } from 'zod';

/**
 * Mastodon's documented entities (docs.joinmastodon.org/entities/: Account, Status, Status::Mention,
 * Status::Tag, Quote, ShallowQuote, Error), written from the attribute lists of the mastodon/documentation
 * repository: every attribute the documentation marks required is required here, with its documented type
 * and enumeration; optional ones ({{%optional%}}, or added after 4.0 such as Account `uri` and Status
 * `quotes_count`) are checked when present. The stand-in's answers are held to these, and so are the real
 * captures in tests/fixtures/mastodon-api, which keeps the schemas honest.
 */
const url = z.url();
/** Datetime format of the API: ISO 8601, e.g. 2019-12-08T03:48:33.901Z (fields' verified_at has +00:00). */
const datetime = z.iso.datetime({ offset: true });
const idString = z.string().min(1);
const count = z.number().int().nonnegative();

const field = z.object({ name: z.string(), value: z.string(), verified_at: datetime.nullable() });
const customEmoji = z.object({
  shortcode: z.string(),
  url,
  static_url: url,
  visible_in_picker: z.boolean(),
});

export const accountEntity = z.object({
  id: idString,
  username: z.string().min(1),
  acct: z.string().min(1),
  url,
  uri: url.optional(),
  display_name: z.string(),
  note: z.string(),
  avatar: url,
  avatar_static: url,
  header: url,
  header_static: url,
  locked: z.boolean(),
  fields: z.array(field),
  emojis: z.array(customEmoji),
  bot: z.boolean(),
  group: z.boolean(),
  discoverable: z.boolean().nullable(),
  noindex: z.boolean().nullable().optional(),
  suspended: z.boolean().optional(),
  limited: z.boolean().optional(),
  created_at: datetime,
  /** a date, not a datetime */
  last_status_at: z.iso.date().nullable(),
  statuses_count: count,
  followers_count: count,
  following_count: count,
});

export const mentionEntity = z.object({
  id: idString,
  username: z.string().min(1),
  url,
  acct: z.string().min(1),
});
export const tagEntity = z.object({ name: z.string().min(1), url });
export const errorEntity = z.object({ error: z.string().min(1), error_description: z.string().optional() });

const quoteStates = z.enum([
  'pending',
  'accepted',
  'rejected',
  'revoked',
  'deleted',
  'unauthorized',
  'blocked_account',
  'blocked_domain',
  'muted_account',
]);

export interface StatusEntity {
  id: string;
  uri: string;
  reblog: StatusEntity | null;
  [key: string]: unknown;
}

export const statusEntity: z.ZodType<StatusEntity> = z.lazy(() =>
  z.object({
    id: idString,
    uri: z.string().min(1),
    created_at: datetime,
    account: accountEntity,
    content: z.string(),
    visibility: z.enum(['public', 'unlisted', 'private', 'direct']),
    sensitive: z.boolean(),
    spoiler_text: z.string(),
    media_attachments: z.array(z.unknown()),
    // Documented optional; Mastodon 4.6 sends null on a boost (status-reblog.real-mastopy.json).
    application: z.object({ name: z.string(), website: url.nullable() }).nullable().optional(),
    mentions: z.array(mentionEntity),
    tags: z.array(tagEntity),
    emojis: z.array(customEmoji),
    reblogs_count: count,
    favourites_count: count,
    replies_count: count,
    quotes_count: count.optional(),
    url: url.nullable(),
    in_reply_to_id: idString.nullable(),
    in_reply_to_account_id: idString.nullable(),
    reblog: statusEntity.nullable(),
    poll: z.unknown().nullable(),
    card: z.unknown().nullable(),
    language: z.string().length(2).nullable(),
    text: z.string().nullable().optional(),
    edited_at: datetime.nullable(),
    quote: z
      .union([quoteEntity, z.object({ state: quoteStates, quoted_status_id: idString.nullable() })])
      .nullable()
      .optional(),
  }),
);

export const statusesEntity = z.array(statusEntity);

/** Quote (4.4+): the quoted status in full, or null when it may not be shown. */
export const quoteEntity = z.object({ state: quoteStates, quoted_status: statusEntity.nullable() });
