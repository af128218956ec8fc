import type { MiddlewareHandler } from 'hono';
import type { WebActivity } from '../../cpu-share.js';
import type { AppEnv } from '../types.js';

/** Counts each request in and out of `webActivity`, so the jobs beside the web make room for it (src/cpu-share.ts). */
export function countRequestsIn(webActivity: WebActivity): MiddlewareHandler<AppEnv> {
  return async (_c, next) => {
    webActivity.begin();
    try {
      await next();
    } finally {
      webActivity.end();
    }
  };
}
