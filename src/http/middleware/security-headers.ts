import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

/**
 * A strict policy on every response: only our own scripts and styles, no framing except the
 * Classroom add-on pages (which set frameAncestors to Classroom's origin).
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('frameAncestors', null);
    c.set('frameSrc', null);
    await next();
    const ancestors = c.get('frameAncestors');
    const frameSrc = c.get('frameSrc');
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      ...(frameSrc ? [`frame-src 'self' ${frameSrc}`] : []),
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors ${ancestors ?? "'none'"}`,
    ].join('; ');
    c.header('Content-Security-Policy', csp);
    if (!ancestors) c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    // The add-on's sign-in popup keeps its opener (the frame) and sets its own policy.
    if (!c.res.headers.has('Cross-Origin-Opener-Policy')) c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (c.get('config').secureCookies) c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
