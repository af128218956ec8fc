import type { Task } from 'graphile-worker';
import { deleteExpiredSessions } from '../../src/auth/sessions.js';
import type { WorkerRuntime } from '../runtime.js';

/** Daily: removes expired sessions and old sign-in throttle rows. */
export function cleanUpSessionsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await deleteExpiredSessions(runtime.services);
    await runtime.services.sql`delete from sign_in_failures where window_started_at < now() - interval '1 day' and (locked_until is null or locked_until < now())`;
  };
}
