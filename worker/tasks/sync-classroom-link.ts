import type { Task } from 'graphile-worker';
import * as v from 'valibot';
import { googleConfig } from '../../src/classroom/config.js';
import { recordSyncGaveUp, syncCourseLink } from '../../src/classroom/sync.js';
import { observedGoogleFetch } from '../../src/observability/google-calls.js';
import type { WorkerRuntime } from '../runtime.js';

const Payload = v.object({
  linkId: v.pipe(v.string(), v.uuid()),
  trigger: v.optional(v.picklist(['schedule', 'manual', 'import', 'newcomers', 'approval']), 'schedule'),
  approvedRemovals: v.optional(v.array(v.string()), []),
});

/**
 * Re-syncs one course link's roster. Google's transient faults are thrown after the client's own
 * retries, so the queue retries with its backoff (the link's status shows the attempt and when the next
 * one is); on the last attempt the link records the failure and its administrator is emailed.
 */
export function syncClassroomLinkTask(runtime: WorkerRuntime): Task {
  return async (payload, helpers) => {
    const p = v.parse(Payload, payload);
    const fetch = observedGoogleFetch((input, init) => globalThis.fetch(input, init), runtime.services.logger, runtime.metrics ?? null);
    const cfg = googleConfig(runtime.env, runtime.services.appUrl, { fetch });
    try {
      await syncCourseLink(runtime.services, cfg, p.linkId, {
        trigger: p.trigger,
        approvedRemovals: p.approvedRemovals,
        guardPercent: runtime.env.CLASSROOM_REMOVAL_GUARD_PERCENT,
      });
    } catch (error) {
      if (helpers.job.attempts >= helpers.job.max_attempts) {
        await recordSyncGaveUp(runtime.services, p.linkId, p.trigger, error);
      }
      throw error;
    }
  };
}
