import type { Task } from 'graphile-worker';
import * as v from 'valibot';
import { runBulkAction } from '../../src/accounts/bulk.js';
import type { WorkerRuntime } from '../runtime.js';

const Payload = v.object({ bulkActionId: v.pipe(v.string(), v.uuid()) });

/** Applies one bulk action of View Accounts; the feature function is safe to run again after any failure. */
export function runBulkActionTask(runtime: WorkerRuntime): Task {
  return async (payload) => {
    const { bulkActionId } = v.parse(Payload, payload);
    await runBulkAction(runtime.services, bulkActionId);
  };
}
