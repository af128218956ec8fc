import { type DomainError, RateLimitedError, ValidationError } from '../errors.js';
import type { AppContext } from './types.js';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * The one way a route turns a feature's typed refusal into the same form shown again with what is
 * wrong: `run` does the work and answers; if it throws one of `kinds` (ValidationError unless
 * told), the status is set (429 with Retry-After for a rate limit, else 400) and `rerender` answers
 * instead. Anything else goes on to the app's error handler.
 */
export async function rerenderOn<E extends DomainError = ValidationError>(
  c: AppContext,
  run: () => Response | Promise<Response>,
  rerender: (error: E) => Response | Promise<Response>,
  kinds: ErrorClass<E>[] = [ValidationError as unknown as ErrorClass<E>],
): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (!kinds.some((kind) => error instanceof kind)) throw error;
    if (error instanceof RateLimitedError) {
      c.status(429);
      c.header('Retry-After', String(error.retryAfterSeconds));
    } else {
      c.status(400);
    }
    return rerender(error as E);
  }
}

/** The messages a refusal carries per field; any other refusal is put on `fallbackField`. */
export function fieldsOf(error: DomainError, fallbackField?: string): Record<string, string> {
  if (error instanceof ValidationError) return error.fields;
  return fallbackField ? { [fallbackField]: error.message } : {};
}
