import { Logger, run, type Runner } from 'graphile-worker';
import { logError, safeError } from '../src/log-safe-error.js';
import type { WorkerRuntime } from './runtime.js';
import { startHeartbeats } from './recovery.js';
import { createTaskList, crontab } from './task-list.js';

/** graphile-worker writes a failed job's error message (and stack) into its own text: the safe form replaces it there. */
function withoutSecrets(message: string, meta: unknown): string {
  const error = (meta as { error?: unknown } | undefined)?.error;
  if (!(error instanceof Error) || !error.message) return message;
  return message.split(error.message).join(safeError(error).message);
}

const logger = new Logger((scope) => (level, message, meta) => {
  if (level === 'debug') return;
  const where = scope.taskIdentifier ? ` ${scope.taskIdentifier}#${scope.jobId ?? ''}` : '';
  const line = `[worker${where}] ${withoutSecrets(message, meta)}`;
  if (level === 'error') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (process.env.WORKER_VERBOSE) console.log(line);
});

/**
 * Starts a graphile-worker runner for our tasks. Signals are handled by the entry point, which
 * calls runner.stop() so running jobs finish (or are released) before the process exits.
 */
export async function startRunner(runtime: WorkerRuntime, options: { concurrency?: number } = {}): Promise<Runner> {
  // Heartbeats, so a job left locked by a killed runner is taken up again within minutes.
  const report = (error: unknown) => logError('[worker] heartbeat:', error);
  const heartbeats = startHeartbeats(runtime.services, { heartbeatSeconds: runtime.env.WORKER_HEARTBEAT_SECONDS, staleSeconds: runtime.env.WORKER_STALE_SECONDS }, report);
  let stopped: Promise<void> | null = null;
  const stopHeartbeats = () => (stopped ??= heartbeats.stop().catch(report));
  try {
    const runner = await run({
      connectionString: runtime.databaseUrl,
      concurrency: options.concurrency ?? runtime.env.WORKER_CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 1000,
      logger,
      events: heartbeats.events,
      taskList: createTaskList(runtime),
      crontab: crontab(runtime),
    });
    // Stopping the runner stops its heartbeats (before the caller closes the database), and so
    // does a runner that ends by itself.
    const stopRunner = runner.stop.bind(runner);
    runner.stop = async () => {
      await stopRunner();
      await stopHeartbeats();
    };
    void runner.promise.then(stopHeartbeats, stopHeartbeats);
    return runner;
  } catch (error) {
    await stopHeartbeats();
    throw error;
  }
}
