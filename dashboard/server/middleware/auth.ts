import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { documentValidator } from '../openapi/route-docs.ts';
import { ApiError } from './errors.ts';

export interface AdminAuthOptions {
  /** ADMIN_TOKEN; unset: every guarded route answers 403 */
  token: string | undefined;
  /**
   * Also accept HTTP Basic (any user name, the token as password): a browser can then open the
   * BullMQ board, which cannot add a Bearer header to a page load. Off for the JSON write routes.
   */
  basic?: boolean;
}

/**
 * Guards write routes: no credentials → 401, wrong ones → 403, no ADMIN_TOKEN configured → 403
 * saying so. Tokens are compared in constant time.
 */
export function requireAdmin({ token, basic = false }: AdminAuthOptions) {
  const challenge = basic
    ? 'Basic realm="campaign-tracker admin", charset="UTF-8"'
    : 'Bearer realm="campaign-tracker admin"';
  const guard = createMiddleware(async (c, next) => {
    if (token === undefined) {
      throw new ApiError(
        403,
        'admin_disabled',
        'admin routes are off: ADMIN_TOKEN is not set on the dashboard (set it, then restart)',
      );
    }
    const given = credentials(c.req.header('Authorization'), basic);
    if (given === undefined) {
      throw new ApiError(
        401,
        'unauthorized',
        basic
          ? 'admin only: sign in with the admin token as password, or send Authorization: Bearer <ADMIN_TOKEN>'
          : 'admin only: send Authorization: Bearer <ADMIN_TOKEN>',
        { 'WWW-Authenticate': challenge },
      );
    }
    if (!sameSecret(given, token)) throw new ApiError(403, 'forbidden', 'the admin token is wrong');
    await next();
  });
  return documentValidator(guard, { admin: true });
}

function credentials(header: string | undefined, basic: boolean): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (basic && scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/** Hashing first gives equal lengths, so timingSafeEqual never throws and the length does not leak. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
