import { Hono } from 'hono';
import { requireSignedIn } from '../middleware/guards.js';
import type { AppEnv } from '../types.js';

/** The start page sends each kind of account to where its work is. */
export const homeRoutes = new Hono<AppEnv>().get('/', requireSignedIn(), (c) => {
  const actor = c.get('actor')!;
  return c.redirect(actor.kind === 'administrator' ? '/accounts' : '/account', 303);
});
