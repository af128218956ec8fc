import { Logger, run, type Runner } from 'graphile-worker';
import type { WorkerRuntime } from './runtime.js';
import { createTaskList, crontab } from './task-list.js';

const logger = new Logger((scope) => (level, message) => {
  if (level === 'debug') return;
  const where = scope.taskIdentifier ? ` ${scope.taskIdentifier}#${scope.jobId ?? ''}` : '';
  const line = `[worker${where}] ${message}`;
  if (level === 'error') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (process.env.WORKER_VERBOSE) console.log(line);
});

/**
 * Starts a graphile-worker runner for our tasks. Signals are handled by the entry point, which
 * calls runner.stop() so running jobs finish (or are released) before the process exits.
 */
export function startRunner(runtime: WorkerRuntime, options: { concurrency?: number } = {}): Promise<Runner> {
  return run({
    connectionString: runtime.databaseUrl,
    concurrency: options.concurrency ?? runtime.env.WORKER_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
    taskList: createTaskList(runtime),
    crontab: crontab(runtime),
  });
}
