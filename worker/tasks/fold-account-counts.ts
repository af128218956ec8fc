import type { Task } from 'graphile-worker';
import { foldAccountCounts } from '../../src/accounts/counts.js';
import type { WorkerRuntime } from '../runtime.js';

/** Daily: folds the per-backend account counts (View Accounts reads their sum) into one row per group. */
export function foldAccountCountsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await foldAccountCounts(runtime.services);
  };
}
