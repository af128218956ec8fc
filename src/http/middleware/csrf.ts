import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { randomToken, safeEqual } from '../../crypto-tokens.js';
import type { AppEnv } from '../types.js';

export const PRE_SESSION_CSRF_COOKIE = 'rb_csrf';

/**
 * Paths called by other servers rather than by our own forms (the Google sandbox's token and
 * revoke endpoints stand in for Google's and are called by google-auth-library), and the add-on
 * frame's session exchange, which has no cookie to carry a token yet: its single-use token and an
 * Origin check stand in for one.
 */
const EXEMPT_PREFIXES = ['/google-sandbox/token', '/google-sandbox/revoke', '/google-sandbox/v1/', '/classroom-add-on/session'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Synchroniser tokens: every unsafe request must carry the session's token (form field `_csrf`
 * or header `X-CSRF-Token`, which the layout makes htmx send). Before sign-in the token lives in
 * an HttpOnly cookie. A cross-site Origin is refused outright.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = c.get('session');
    let token = session?.csrfToken;
    if (!token) {
      token = getCookie(c, PRE_SESSION_CSRF_COOKIE);
      if (!token || token.length > 100) {
        token = randomToken();
        setCookie(c, PRE_SESSION_CSRF_COOKIE, token, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: c.get('config').secureCookies,
          path: '/',
        });
      }
    }
    c.set('csrfToken', token);
    if (SAFE_METHODS.has(c.req.method) || EXEMPT_PREFIXES.some((p) => c.req.path.startsWith(p))) return next();

    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin && origin !== c.get('config').appUrl) {
      return c.text('This form was sent from another site, so it was refused.', 403);
    }
    let sent = c.req.header('x-csrf-token');
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody({ all: true });
        const field = body._csrf;
        sent = typeof field === 'string' ? field : Array.isArray(field) && typeof field[0] === 'string' ? field[0] : undefined;
      }
    }
    if (!sent || !safeEqual(sent, token)) {
      return c.text('This form has expired or was not sent from Rosterbridge. Go back, reload the page and try again.', 403);
    }
    return next();
  };
}
