import { Logger, run, type Runner } from 'graphile-worker';
import type { RunnerLiveness } from '../src/observability/health.js';
import type { Logger as AppLogger } from '../src/observability/logger.js';
import type { WorkerRuntime } from './runtime.js';
import { startHeartbeats } from './recovery.js';
import { createTaskList, crontab } from './task-list.js';

/**
 * graphile-worker's own messages into our log. Its "failed with error" lines repeat what
 * observedTask already logged (safely), with the raw error text, so they stay at debug.
 */
function runnerLogger(logger: AppLogger): Logger {
  return new Logger((scope) => (level, message) => {
    const fields = { component: 'graphile-worker', ...(scope.taskIdentifier ? { task: scope.taskIdentifier, jobId: scope.jobId } : {}) };
    if (scope.taskIdentifier && (level === 'error' || level === 'warning')) logger.debug(fields, message);
    else if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.debug(fields, message);
  });
}

export type ObservedRunner = Runner & { liveness: RunnerLiveness };

/**
 * Starts a graphile-worker runner for our tasks. Signals are handled by the entry point, which
 * calls runner.stop() so running jobs finish (or are released) before the process exits.
 */
export async function startRunner(runtime: WorkerRuntime, options: { concurrency?: number } = {}): Promise<ObservedRunner> {
  // Heartbeats, so a job left locked by a killed runner is taken up again within minutes.
  const report = (error: unknown) => runtime.services.logger.error({ err: error, component: 'heartbeat' }, 'heartbeat failed');
  const heartbeats = startHeartbeats(
    runtime.services,
    { heartbeatSeconds: runtime.env.WORKER_HEARTBEAT_SECONDS, staleSeconds: runtime.env.WORKER_STALE_SECONDS },
    report,
  );
  let stopped: Promise<void> | null = null;
  const stopHeartbeats = () => (stopped ??= heartbeats.stop().catch(report));
  try {
    const runner = await run({
      connectionString: runtime.databaseUrl,
      concurrency: options.concurrency ?? runtime.env.WORKER_CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: runnerLogger(runtime.services.logger),
      events: heartbeats.events,
      taskList: createTaskList(runtime),
      crontab: crontab(runtime),
      // Completions and failures go through graphile-worker's batcher (with no wait), whose
      // release the runner's stop awaits; unbatched, a job that ends during a stop is marked done
      // after the runner says it has stopped, by then on a closed pool, and stays locked for hours.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    });
    // Stopping the runner stops its heartbeats (before the caller closes the database), and so
    // does a runner that ends by itself.
    const stopRunner = runner.stop.bind(runner);
    runner.stop = async () => {
      await stopRunner();
      await stopHeartbeats();
    };
    void runner.promise.then(stopHeartbeats, stopHeartbeats);
    return Object.assign(runner, { liveness: { lastBeatAt: heartbeats.lastBeatAt, staleSeconds: runtime.env.WORKER_STALE_SECONDS } });
  } catch (error) {
    await stopHeartbeats();
    throw error;
  }
}
