import {
  type FieldSelection,
  MEDIA_FIELDS,
  PLACE_FIELDS,
  POLL_FIELDS,
  TWEET_EXPANSIONS,
  TWEET_FIELDS,
  USER_EXPANSIONS,
  USER_FIELDS,
} from './fields.ts';
import type { ParamReader } from './params.ts';

/** Field parameters of endpoints returning posts (search, timelines, post lookup). */
export function readPostSelection(params: ParamReader): FieldSelection {
  // Media, poll and place fields are validated but render nothing: scenario posts have none.
  params.list('media.fields', MEDIA_FIELDS);
  params.list('poll.fields', POLL_FIELDS);
  params.list('place.fields', PLACE_FIELDS);
  return {
    tweet: new Set(params.list('tweet.fields', TWEET_FIELDS)),
    user: new Set(params.list('user.fields', USER_FIELDS)),
    expansions: new Set(params.list('expansions', TWEET_EXPANSIONS)),
  };
}

/** Field parameters of endpoints returning users. */
export function readUserSelection(params: ParamReader): FieldSelection {
  return {
    tweet: new Set(params.list('tweet.fields', TWEET_FIELDS)),
    user: new Set(params.list('user.fields', USER_FIELDS)),
    expansions: new Set(params.list('expansions', USER_EXPANSIONS)),
  };
}

export const POST_FIELD_PARAMS = [
  'expansions',
  'tweet.fields',
  'media.fields',
  'poll.fields',
  'place.fields',
  'user.fields',
];
export const USER_FIELD_PARAMS = ['expansions', 'tweet.fields', 'user.fields'];
