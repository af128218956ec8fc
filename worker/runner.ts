import { Logger, run, type Runner } from 'graphile-worker';
import type { WorkerRuntime } from './runtime.js';
import { startHeartbeats } from './recovery.js';
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
export async function startRunner(runtime: WorkerRuntime, options: { concurrency?: number } = {}): Promise<Runner> {
  // Heartbeats, so a job left locked by a killed runner is taken up again within minutes.
  const report = (error: unknown) => console.error('[worker] heartbeat:', error);
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
