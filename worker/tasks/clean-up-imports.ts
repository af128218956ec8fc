import type { Task } from 'graphile-worker';
import { cleanUpImports } from '../../src/imports/clean-up.js';
import type { WorkerRuntime } from '../runtime.js';

/** Daily: drops imports abandoned in the wizard, with the files and passwords they hold. */
export function cleanUpImportsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await cleanUpImports(runtime.services);
  };
}
