import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

/** An HTTP error with the machine-readable `code` of the JSON error body. */
export class ApiError extends HTTPException {
  override name = 'ApiError';

  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** sent with the error response (a 401's `WWW-Authenticate`, a 503's `Retry-After`) */
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}

export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const invalidParameter = (message: string) => new ApiError(400, 'invalid_parameter', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const unavailable = (message: string) =>
  new ApiError(503, 'unavailable', message, { 'Retry-After': '30' });

/** The code of an HTTPException thrown without one (by Hono itself, for instance). */
export function codeOf(error: HTTPException): string {
  if (error instanceof ApiError) return error.code;
  if (error.status === 404) return 'not_found';
  if (error.status < 500) return 'bad_request';
  return 'internal';
}

/** One line naming each bad parameter and what it expects, e.g. `limit: expected an integer from 1 to 500`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ');
}
