import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { findSignedIn, SESSION_COOKIE } from '../../auth/sessions.js';
import { ADD_ON_PATH, ADD_ON_SESSION_COOKIE } from '../session-cookie.js';
import type { AppEnv } from '../types.js';

/** Loads the signed-in account (if any) for every request. */
export function sessionLoader(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('session', null);
    c.set('actor', null);
    // The add-on frame may only have its own partitioned session (third-party cookies blocked).
    const token =
      getCookie(c, SESSION_COOKIE) ?? (c.req.path.startsWith(`${ADD_ON_PATH}/`) ? getCookie(c, ADD_ON_SESSION_COOKIE) : undefined);
    if (token) {
      const services = c.get('services');
      const signedIn = await findSignedIn(services, token);
      if (signedIn) {
        c.set('session', signedIn.session);
        c.set('actor', signedIn.actor);
      }
    }
    await next();
  };
}
