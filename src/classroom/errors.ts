import { DomainError } from '../errors.js';

/** The one wording for a connection Google no longer accepts, on the connection, its classes and their history. */
export const NEEDS_RECONNECTING_MESSAGE =
  'Google no longer accepts the connection to Google Classroom (the access was withdrawn or has expired). Connect to Google Classroom again to resume syncing.';

/**
 * Google said invalid_grant: the consent was withdrawn, expired or replaced. Retrying cannot
 * help; the teacher has to connect again.
 */
export class GoogleReconnectNeededError extends DomainError {
  constructor(message = NEEDS_RECONNECTING_MESSAGE) {
    super(message);
  }
}

/** Classroom (or its API) is switched off for this Google account or project. Retrying cannot help. */
export class ClassroomAccessError extends DomainError {
  constructor(
    message: string,
    readonly reason: 'ClassroomApiDisabled' | 'ClassroomDisabled' | 'ApiNotEnabled' | 'PermissionDenied',
  ) {
    super(message);
  }
}

/**
 * Google kept answering 429 or 5xx (or could not be reached) after the client's own retries. A
 * page says so and asks the person to try again; a sync job is retried by the queue, which its
 * link's status shows.
 */
export class GoogleUnavailableError extends DomainError {
  constructor(readonly status: number | null) {
    super(
      status === 429
        ? 'Google Classroom is limiting how fast we can read rosters right now (Google answered 429). Nothing was changed. Try again in a few minutes.'
        : `Google Classroom did not answer properly just now (${googleAnswered(status)}). Nothing was changed. Try again in a few minutes.`,
    );
  }

  /** What Google did, for a status line: "Google answered 503". */
  get answer(): string {
    return googleAnswered(this.status);
  }
}

function googleAnswered(status: number | null): string {
  return status ? `Google answered ${status}` : 'Google could not be reached';
}

/** The course no longer exists, or this teacher can no longer see it. */
export class ClassroomCourseGoneError extends DomainError {
  constructor() {
    super('This class is no longer in Google Classroom, or your Google account can no longer see it.');
  }
}
