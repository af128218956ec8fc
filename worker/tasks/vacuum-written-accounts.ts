import type { Task } from 'graphile-worker';
import { vacuumWrittenAccounts } from '../../src/accounts/vacuum.js';
import type { WorkerRuntime } from '../runtime.js';

/** After an import or a bulk action: the accounts' new pages marked visible, so View Accounts reads its indexes alone again. */
export function vacuumWrittenAccountsTask(runtime: WorkerRuntime): Task {
  return async () => {
    await vacuumWrittenAccounts(runtime.services);
  };
}
