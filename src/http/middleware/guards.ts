import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

/** Paths a signed-in account that must change its password may still use. */
const ALLOWED_WHILE_PASSWORD_CHANGE_PENDING = ['/change-password', '/sign-out', '/static/'];

function wantsFragment(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  return c.req.header('hx-request') === 'true';
}

/** Signed in, with no pending forced password change. */
export function requireSignedIn(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (!actor) {
      const back = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/';
      const target = `/sign-in?next=${encodeURIComponent(back)}`;
      if (wantsFragment(c)) {
        c.header('HX-Redirect', target);
        return c.body(null, 401);
      }
      return c.redirect(target, 303);
    }
    if (actor.mustChangePassword && !ALLOWED_WHILE_PASSWORD_CHANGE_PENDING.some((p) => c.req.path.startsWith(p))) {
      return c.redirect('/change-password', 303);
    }
    return next();
  };
}

/** Administrators and system administrators; learners get a 404 so admin pages are not even confirmed. */
export function requireAdministrator(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (actor?.kind !== 'administrator') return c.notFound();
    return next();
  };
}

export function requireSystemAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (!actor?.isSystemAdmin) return c.notFound();
    return next();
  };
}
