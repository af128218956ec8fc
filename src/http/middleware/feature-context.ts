import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types.js';

/**
 * The context every feature function takes (services + the signed-in actor), made once per
 * request after the session is loaded. Routes behind requireSignedIn() read it as c.get('ctx').
 */
export function featureContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (actor) c.set('ctx', { ...c.get('services'), actor });
    await next();
  };
}
