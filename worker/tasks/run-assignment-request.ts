import type { Task } from 'graphile-worker';
import * as v from 'valibot';
import { runAssignmentRequest } from '../../src/assignments/run.js';
import type { WorkerRuntime } from '../runtime.js';

const Payload = v.object({ requestId: v.pipe(v.string(), v.uuid()) });

/** Applies one mass assignment; the feature function is safe to run again after any failure. */
export function runAssignmentRequestTask(runtime: WorkerRuntime): Task {
  return async (payload) => {
    const { requestId } = v.parse(Payload, payload);
    await runAssignmentRequest(runtime.services, requestId);
  };
}
