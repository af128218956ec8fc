import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE, SESSION_IDLE_SECONDS } from '../auth/sessions.js';
import type { AppContext } from './types.js';

/**
 * Over https the session cookie is SameSite=None, so the Classroom add-on, framed by
 * classroom.google.com (another site), sees the teacher signed in. That is safe here because
 * every state-changing request must carry the synchronizer CSRF token and a matching Origin, and
 * only the add-on pages may be framed at all. Over plain http (development) it stays Lax, since
 * browsers refuse SameSite=None without Secure.
 */
export function setSessionCookie(c: AppContext, token: string): void {
  const secure = c.get('config').secureCookies;
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: secure ? 'None' : 'Lax',
    secure,
    path: '/',
    maxAge: SESSION_IDLE_SECONDS,
  });
}

/** The add-on frame's own session, for browsers that block third-party cookies. */
export const ADD_ON_SESSION_COOKIE = 'rb_add_on_session';
export const ADD_ON_PATH = '/classroom-add-on';

/**
 * The framed add-on's session: a partitioned cookie (CHIPS), kept by the browser for our frame
 * inside Classroom only, and sent only to the add-on's own paths. Partitioned cookies must be
 * Secure; browsers accept that on localhost over http too.
 */
export function setAddOnSessionCookie(c: AppContext, token: string): void {
  setCookie(c, ADD_ON_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'None',
    secure: true,
    partitioned: true,
    path: ADD_ON_PATH,
    maxAge: SESSION_IDLE_SECONDS,
  });
}

export function clearSessionCookie(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('config').secureCookies });
}
