import { ApiRequestError } from 'twitter-api-v2';
import { describe, expect, test } from 'vitest';
import { classifyXError, XTransientError } from '../../src/networks/x/errors.ts';

describe('classifyXError', () => {
  test('a request that got no answer is transient and says why, as twitter-api-v2 1.29 builds it', () => {
    // the library's own construction (request-handler.helper.js createRequestError): the cause is under `error`
    const error = new ApiRequestError('Request failed.', {
      request: undefined as never,
      error: new Error('socket hang up'),
    } as never);
    const classified = classifyXError(error, '/2/tweets/search/recent');
    expect(classified).toBeInstanceOf(XTransientError);
    expect(classified.message).toBe('X /2/tweets/search/recent unreachable: socket hang up');
  });
});
