/**
 * What we ask X for. Without field parameters a post is only `id` and `text`, and a user only
 * `id`, `name` and `username`: every request names the fields the collector stores.
 */
export const postFields = [
  'created_at',
  'author_id',
  'public_metrics',
  'entities',
  'referenced_tweets',
  'lang',
  'conversation_id',
].join(',');

export const userFields = [
  'public_metrics',
  'created_at',
  'profile_image_url',
  'verified',
  'description',
].join(',');

export const postExpansions = 'author_id';

/** Per-request maxima of the endpoints we call. */
export const maxPageSize = { search: 100, archive: 500, timeline: 100, lookup: 100 } as const;
