import type { Task } from 'graphile-worker';
import { deleteOldSelections } from '../../src/accounts/selection.js';
import { deleteExpiredSessions } from '../../src/auth/sessions.js';
import { pruneThrottle } from '../../src/auth/sign-in-throttle.js';
import type { WorkerRuntime } from '../runtime.js';

/** Daily: removes expired sessions, old sign-in throttle rows and View Accounts selections older than a week. */
export function cleanUpSessionsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await deleteExpiredSessions(runtime.services);
    // Failures prune as they come in; this catches what is left once they stop.
    while ((await pruneThrottle(runtime.services, 10_000)) === 10_000);
    await deleteOldSelections(runtime.services);
  };
}
