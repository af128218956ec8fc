import type { Task } from 'graphile-worker';
import * as v from 'valibot';
import { jobCpuShare } from '../../src/cpu-share.js';
import { failImport, processedRows, runImport } from '../../src/imports/engine.js';
import type { WorkerRuntime } from '../runtime.js';

const Payload = v.object({ batchId: v.pipe(v.string(), v.uuid()) });

/**
 * Runs one import batch. Safe to run again after a crash: it carries on from the last committed
 * chunk. On the last attempt a failure marks the batch failed, so it never stays "running".
 */
export function runImportTask(runtime: WorkerRuntime): Task {
  return async (payload, helpers) => {
    const { batchId } = v.parse(Payload, payload);
    const before = await processedRows(runtime.services, batchId);
    const started = performance.now();
    try {
      await runImport(runtime.services, batchId, { ...jobCpuShare(runtime.role ?? 'jobs'), webActivity: runtime.webActivity ?? undefined });
      runtime.metrics?.importRows((await processedRows(runtime.services, batchId)) - before, (performance.now() - started) / 1000);
    } catch (error) {
      if (helpers.job.attempts >= helpers.job.max_attempts) {
        await failImport(
          runtime.services,
          batchId,
          'The import stopped after several attempts. Accounts already imported are kept; start a new import for the remaining rows.',
        );
      }
      throw error;
    }
  };
}
