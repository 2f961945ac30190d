/**
 * Error bodies exactly as X API v2 sends them (see shared/x-api/examples). Problem types carry
 * X's historical host, api.twitter.com, as the captures do.
 */
const PROBLEMS = 'https://api.twitter.com/2/problems';

export const PROBLEM_JSON = 'application/problem+json';
export const JSON_UTF8 = 'application/json; charset=utf-8';

/** Byte-exact: X sends this 2-space-indented body (99 bytes, no trailing newline) with no rate-limit headers. */
export const UNAUTHORIZED_BODY = JSON.stringify(
  { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
  null,
  2,
);

export const TOO_MANY_REQUESTS_BODY = JSON.stringify({
  title: 'Too Many Requests',
  type: 'about:blank',
  status: 429,
  detail: 'Too Many Requests',
});

export const NOT_FOUND_BODY = JSON.stringify({
  title: 'Not Found Error',
  type: 'about:blank',
  status: 404,
  detail: 'Not Found',
});

/** X sends this one as `application/json; charset=utf-8`, not as a problem+json, and without rate-limit headers. */
export const SERVICE_UNAVAILABLE_BODY = JSON.stringify({
  title: 'Service Unavailable',
  detail: 'Service Unavailable',
  type: 'about:blank',
  status: 503,
});

/** The monthly cap's 429: it comes while the 15-minute window still has requests left. */
export function usageCappedBody(accountId: string, productName: string): string {
  return JSON.stringify({
    account_id: accountId,
    product_name: productName,
    title: 'UsageCapExceeded',
    period: 'Monthly',
    scope: 'Product',
    detail: 'Usage cap exceeded: Monthly product cap',
    type: `${PROBLEMS}/usage-capped`,
  });
}

/** The 403 for an endpoint the access tier does not include. */
export function clientNotEnrolledBody(clientId: string): string {
  return JSON.stringify({
    client_id: clientId,
    detail:
      'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
    registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
    title: 'Client Forbidden',
    required_enrollment: 'Appropriate Level of API Access',
    reason: 'client-not-enrolled',
    type: `${PROBLEMS}/client-forbidden`,
  });
}

export const INTERNAL_ERROR_BODY = JSON.stringify({
  title: 'Internal Server Error',
  type: 'about:blank',
  status: 500,
  detail: 'Internal Server Error',
});

export interface InvalidParameter {
  parameters: Record<string, string[]>;
  message: string;
}

/** A request X would answer with 400 invalid-request; carries every parameter error found. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';

  constructor(readonly errors: InvalidParameter[]) {
    super(errors.map((error) => error.message).join('; '));
  }

  get body(): Record<string, unknown> {
    return {
      errors: this.errors,
      title: 'Invalid Request',
      detail: 'One or more parameters to your request was invalid.',
      type: `${PROBLEMS}/invalid-request`,
    };
  }
}

/** One `errors[]` entry of a 200 response: something asked for that does not exist. */
export interface ResourceProblem {
  value: string;
  detail: string;
  title: string;
  resource_type: 'user' | 'tweet';
  parameter: string;
  resource_id: string;
  type: string;
}

/**
 * A suspended account asked for, or met in an expansion: X's title is `Forbidden` but its type is
 * resource-not-found (see tests/fixtures/x-api/search_recent_page_with_partial_error.json).
 */
export function userSuspended(parameter: string, value: string): ResourceProblem {
  return {
    value,
    detail: `User has been suspended: [${value}].`,
    title: 'Forbidden',
    resource_type: 'user',
    parameter,
    resource_id: value,
    type: `${PROBLEMS}/resource-not-found`,
  };
}

/**
 * `parameter` is the request parameter that named the resource (`ids`, `usernames`, `id`…): X's detail
 * repeats it, e.g. "Could not find user with usernames: [nobody]."
 */
export function resourceNotFound(
  resourceType: 'user' | 'tweet',
  parameter: string,
  value: string,
): ResourceProblem {
  return {
    value,
    detail: `Could not find ${resourceType} with ${parameter}: [${value}].`,
    title: 'Not Found Error',
    resource_type: resourceType,
    parameter,
    resource_id: value,
    type: `${PROBLEMS}/resource-not-found`,
  };
}
