import { Logger, runOnce } from 'graphile-worker';
import { parseEnv } from '../../src/env.js';
import type { Mailer } from '../../src/mail/mailer.js';
import type { WorkerRuntime } from '../../worker/runtime.js';
import { createTaskList } from '../../worker/task-list.js';
import type { TestDatabase } from './database.js';

const silentLogger = new Logger(() => () => {});

export function testWorkerRuntime(db: TestDatabase, overrides: Partial<WorkerRuntime> = {}): WorkerRuntime {
  return {
    services: db.services,
    env: parseEnv({ NODE_ENV: 'test' }),
    mailer: null as Mailer | null,
    databaseUrl: db.url,
    ...overrides,
  };
}

/** Runs every job that is due, with the real task list, until the queue is empty. */
export async function runDueJobs(db: TestDatabase, overrides: Partial<WorkerRuntime> = {}): Promise<void> {
  const runtime = testWorkerRuntime(db, overrides);
  await runOnce({ connectionString: db.url, taskList: createTaskList(runtime), concurrency: 1, noHandleSignals: true, logger: silentLogger });
}

/** Jobs waiting in the queue, by task name. */
export async function queuedJobs(db: TestDatabase): Promise<{ task: string; payload: unknown; attempts: number; lastError: string | null }[]> {
  return db.services.sql`
    select task_identifier as task, payload, attempts, last_error as "lastError"
    from graphile_worker.jobs order by id`;
}
