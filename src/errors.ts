/**
 * Typed failures of domain functions. Routes map them to responses; their messages reach people,
 * so they say what happened and what to do next.
 */
export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing does not exist, or exists in a scope the actor cannot see (the two are never told apart). */
export class NotFoundError extends DomainError {}

/** The actor is known but may not do this. */
export class ForbiddenError extends DomainError {}

/** The input is wrong; `fields` maps a form field to what is wrong with it. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `error` when it is a ValidationError (a refusal to show the person); anything else is thrown on. */
export function validationErrorOrThrow(error: unknown): ValidationError {
  if (error instanceof ValidationError) return error;
  throw error;
}

/** The request clashes with the current state (e.g. the email is already taken). */
export class ConflictError extends DomainError {}

/** Too many attempts; `retryAfterSeconds` tells when to try again. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
