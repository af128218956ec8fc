import type { Task } from 'graphile-worker';
import type { WorkerRuntime } from './runtime.js';

/** A task as the task list holds it: made for the runtime of one job run. */
export type TaskFactory = (runtime: WorkerRuntime) => Task;

/**
 * Every task runs through here: the job's own logger (task, job id and attempt on each line,
 * handed to the feature through its services), one line when the run ends (duration, outcome)
 * and the job metrics. A failure is rethrown so graphile-worker retries it; its last attempt is
 * logged as failed for good.
 */
export function observedTask(name: string, factory: TaskFactory, runtime: WorkerRuntime): Task {
  return async (payload, helpers) => {
    const { job } = helpers;
    const logger = runtime.services.logger.child({ task: name, jobId: String(job.id), attempt: job.attempts });
    const forJob: WorkerRuntime = { ...runtime, services: { ...runtime.services, logger } };
    const started = performance.now();
    const finished = () => {
      const seconds = (performance.now() - started) / 1000;
      return { seconds, durationMs: Math.round(seconds * 10_000) / 10 };
    };
    try {
      await factory(forJob)(payload, helpers);
      const { seconds, durationMs } = finished();
      logger.info({ durationMs, outcome: 'success' }, 'job run');
      runtime.metrics?.jobRun(name, 'success', seconds);
    } catch (error) {
      const { seconds, durationMs } = finished();
      const outcome = job.attempts >= job.max_attempts ? 'failed for good' : 'will retry';
      logger.warn({ durationMs, outcome, maxAttempts: job.max_attempts, err: error }, 'job run');
      runtime.metrics?.jobRun(name, 'failure', seconds);
      throw error;
    }
  };
}
