import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { safeError } from '../log-safe-error.js';
import { DomainError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { ErrorPage, InputErrorPage, NotFoundPage } from '../../views/pages/errors.js';
import { safeRedirectPath } from '../safe-redirect.js';
import { InputError } from './input/validate.js';
import type { AppEnv } from './types.js';

export const handleNotFound: NotFoundHandler<AppEnv> = (c) => {
  c.status(404);
  if (c.req.header('hx-request') === 'true' || !c.get('csrfToken')) return c.text('Not found', 404);
  return c.render(<NotFoundPage />, { title: 'Page not found' });
};

/** An unexpected failure goes to the request's log (its id on the line), as a safe error object. */
function logFailure(c: Context<AppEnv>, error: unknown): void {
  const logger = c.get('services')?.logger;
  if (logger) logger.error({ err: error, method: c.req.method }, 'request failed');
  else console.error('request failed before its services were ready', JSON.stringify(safeError(error)));
}

/**
 * A refused form goes back to the page that held it (the Referer, when it is ours), where the
 * browser still has what was typed; a refused query goes to the same page without it.
 */
function inputErrorPage(c: Context<AppEnv>, error: InputError) {
  const isForm = c.req.method !== 'GET' && c.req.method !== 'HEAD';
  const back = isForm ? safeRedirectPath(c.req.header('referer'), c.get('config').appUrl, c.req.path) : c.req.path;
  const problems = [...new Set(Object.values(error.fields))];
  return c.render(<InputErrorPage problems={problems.length ? problems : [error.message]} back={back} isForm={isForm} />, {
    title: 'Check what you entered',
  });
}

/** Domain errors become pages that say what happened; anything else is logged and hidden. */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof NotFoundError) return handleNotFound(c);
  const fragment = c.req.header('hx-request') === 'true' || !c.get('csrfToken');
  if (error instanceof DomainError) {
    const status =
      error instanceof ForbiddenError ? 403 : error instanceof RateLimitedError ? 429 : error instanceof ValidationError ? 400 : 409;
    c.status(status);
    if (fragment) return c.text(error.message, status);
    if (error instanceof InputError) return inputErrorPage(c, error);
    return c.render(<ErrorPage title="That could not be done" message={error.message} requestId={c.get('requestId')} />, {
      title: 'That could not be done',
    });
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own refusals (a malformed form body, say): the request was wrong, not the service.
    const message = 'The form could not be read. Reload the page and send it again.';
    c.status(error.status);
    if (fragment) return c.text(message, error.status);
    return c.render(<ErrorPage title="That could not be done" message={message} />, { title: 'That could not be done' });
  }
  logFailure(c, error);
  c.status(500);
  const requestId = c.get('requestId');
  const message =
    'Nothing was changed by the request that failed. Try again in a moment; if it keeps happening, contact support and quote the request id.';
  if (fragment) return c.text(`${message} Request id: ${requestId}`, 500);
  return c.render(<ErrorPage title="Something went wrong" message={message} requestId={requestId} />, { title: 'Something went wrong' });
};
