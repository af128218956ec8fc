import type { ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { logError } from '../log-safe-error.js';
import { DomainError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { ErrorPage, NotFoundPage } from '../../views/pages/errors.js';
import type { AppEnv } from './types.js';

export const handleNotFound: NotFoundHandler<AppEnv> = (c) => {
  c.status(404);
  if (c.req.header('hx-request') === 'true' || !c.get('csrfToken')) return c.text('Not found', 404);
  return c.render(<NotFoundPage />, { title: 'Page not found' });
};

/** Domain errors become pages that say what happened; anything else is logged and hidden. */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof NotFoundError) return handleNotFound(c);
  const fragment = c.req.header('hx-request') === 'true' || !c.get('csrfToken');
  if (error instanceof DomainError) {
    const status =
      error instanceof ForbiddenError ? 403 : error instanceof RateLimitedError ? 429 : error instanceof ValidationError ? 400 : 409;
    c.status(status);
    if (fragment) return c.text(error.message, status);
    return c.render(<ErrorPage title="That could not be done" message={error.message} />, { title: 'That could not be done' });
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals (a malformed form body, say): the request was wrong, not the service.
    const message = 'The form could not be read. Reload the page and send it again.';
    c.status(error.status);
    if (fragment) return c.text(message, error.status);
    return c.render(<ErrorPage title="That could not be done" message={message} />, { title: 'That could not be done' });
  }
  logError(`${c.req.method} ${c.req.path} failed:`, error);
  c.status(500);
  const message = 'Nothing was changed by the request that failed. Try again in a moment; if it keeps happening, contact support.';
  if (fragment) return c.text(message, 500);
  return c.render(<ErrorPage title="Something went wrong" message={message} />, { title: 'Something went wrong' });
};
