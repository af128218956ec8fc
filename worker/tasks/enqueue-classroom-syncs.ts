import type { Task } from 'graphile-worker';
import { enqueueScheduledSyncs } from '../../src/classroom/links.js';
import type { WorkerRuntime } from '../runtime.js';

/** The crontab's entry point: one sync_classroom_link job per course link (CLASSROOM_SYNC_SCHEDULE). */
export function enqueueClassroomSyncsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await enqueueScheduledSyncs(runtime.services);
  };
}
