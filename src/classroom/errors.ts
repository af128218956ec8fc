import { DomainError } from '../errors.js';

/**
 * Google said invalid_grant: the consent was withdrawn, expired or replaced. Retrying cannot
 * help; the teacher has to connect again.
 */
export class GoogleReconnectNeededError extends DomainError {
  constructor(message = 'Google no longer accepts this connection (the access was withdrawn or has expired). Connect to Google Classroom again.') {
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

/** Google kept answering 429 or 5xx (or could not be reached) after our retries; the job queue retries later. */
export class GoogleUnavailableError extends DomainError {
  constructor(readonly status: number | null) {
    super(
      status === 429
        ? 'Google Classroom is limiting how fast we can read rosters right now. We will try again shortly.'
        : 'Google Classroom did not answer properly just now. We will try again shortly.',
    );
  }
}

/** The course no longer exists, or this teacher can no longer see it. */
export class ClassroomCourseGoneError extends DomainError {
  constructor() {
    super('This class is no longer in Google Classroom, or your Google account can no longer see it.');
  }
}
