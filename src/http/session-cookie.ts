import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE, SESSION_IDLE_SECONDS } from '../auth/sessions.js';
import type { AppContext } from './types.js';

export function setSessionCookie(c: AppContext, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('config').secureCookies,
    path: '/',
    maxAge: SESSION_IDLE_SECONDS,
  });
}

export function clearSessionCookie(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('config').secureCookies });
}

/** Only same-site relative paths may be redirected to after sign-in. */
export function safeNext(next: string | undefined | null, fallback: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}
