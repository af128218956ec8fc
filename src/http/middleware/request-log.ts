import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Metrics } from '../../observability/metrics.js';
import type { AppEnv } from '../types.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** What we accept from a proxy as a request id: short and printable, so it cannot forge log lines. */
const PROXY_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The proxy's X-Request-Id when we trust the proxy (TRUST_PROXY), otherwise a new one. */
export function requestIdFor(c: Context, trustProxy: boolean): string {
  const sent = trustProxy ? c.req.header(REQUEST_ID_HEADER) : undefined;
  return sent && PROXY_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
}

/**
 * The route pattern that served the request (`/imports/:id`), never the path itself: a path
 * carries ids and a query string may carry anything. The first matched route bound to a method is
 * the handler (middleware is bound to ALL).
 */
function routePattern(c: Context): string {
  const handler = matchedRoutes(c).find((route) => route.method !== 'ALL');
  return handler?.path ?? '(no route)';
}

/**
 * One log line and one metric observation per request: method, route pattern, status, duration,
 * request id (bound to the request's logger), organisation and account ids. The id goes back in
 * the X-Request-Id header so a person can quote it.
 */
export function requestLog(metrics: Metrics | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(c);
    const status = c.res.status;
    c.res.headers.set(REQUEST_ID_HEADER, c.get('requestId'));
    const actor = c.get('actor');
    c.get('services').logger.info(
      {
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        organisationId: actor?.organisationId ?? null,
        accountId: actor?.id ?? null,
      },
      'request',
    );
    metrics?.request(route, c.req.method, status, seconds);
  };
}
