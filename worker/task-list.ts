import type { TaskList } from 'graphile-worker';
import { observedTask, type TaskFactory } from './observed-task.js';
import type { WorkerRuntime } from './runtime.js';
import { cleanUpSessionsTask } from './tasks/clean-up-sessions.js';
import { foldAccountCountsTask } from './tasks/fold-account-counts.js';
import { sendEmailTask } from './tasks/send-email.js';
import { runImportTask } from './tasks/run-import.js';
import { cleanUpImportsTask } from './tasks/clean-up-imports.js';
import { enqueueClassroomSyncsTask } from './tasks/enqueue-classroom-syncs.js';
import { syncClassroomLinkTask } from './tasks/sync-classroom-link.js';
import { runAssignmentRequestTask } from './tasks/run-assignment-request.js';
import { runBulkActionTask } from './tasks/run-bulk-action.js';
import { vacuumWrittenAccountsTask } from './tasks/vacuum-written-accounts.js';

/** Every task the runner knows, by the identifier used in add_job. */
const TASKS: Record<string, TaskFactory> = {
  send_email: sendEmailTask,
  clean_up_sessions: cleanUpSessionsTask,
  run_import: runImportTask,
  clean_up_imports: cleanUpImportsTask,
  sync_classroom_link: syncClassroomLinkTask,
  enqueue_classroom_syncs: enqueueClassroomSyncsTask,
  run_assignment_request: runAssignmentRequestTask,
  run_bulk_action: runBulkActionTask,
  fold_account_counts: foldAccountCountsTask,
  vacuum_written_accounts: vacuumWrittenAccountsTask,
};

/** The task list, each task run through observedTask (its log line and metrics). */
export function createTaskList(runtime: WorkerRuntime): TaskList {
  return Object.fromEntries(Object.entries(TASKS).map(([name, factory]) => [name, observedTask(name, factory, runtime)]));
}

/** Crontab entries with fixed ids; each fans out into per-item jobs where there is work. */
export function crontab(runtime: WorkerRuntime): string {
  return [
    '15 3 * * * clean_up_sessions ?id=clean_up_sessions',
    '45 3 * * * clean_up_imports ?id=clean_up_imports',
    '30 4 * * * fold_account_counts ?id=fold_account_counts',
    `${runtime.env.CLASSROOM_SYNC_SCHEDULE} enqueue_classroom_syncs ?id=enqueue_classroom_syncs`,
  ].join('\n');
}
