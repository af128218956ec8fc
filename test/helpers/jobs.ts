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
  await runOnce({
    connectionString: db.url,
    taskList: createTaskList(runtime),
    concurrency: 1,
    noHandleSignals: true,
    logger: silentLogger,
  });
}

/** Jobs waiting in the queue, by task name (the public jobs view has no payload, so the private table is read). */
export async function queuedJobs(
  db: TestDatabase,
): Promise<{ task: string; payload: unknown; attempts: number; lastError: string | null }[]> {
  return db.services.sql`
    select t.identifier as task, j.payload, j.attempts, j.last_error as "lastError"
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    order by j.id`;
}
