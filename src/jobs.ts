import { sql, type SQL } from 'drizzle-orm';

/**
 * Enqueues a graphile-worker job with plain SQL, so it commits or rolls back with the caller's
 * transaction: no job without its row, no row without its job (DESIGN rule 1). Works from any
 * runtime that can reach Postgres; no worker library needed here.
 */
export function addJobSql(
  task: string,
  payload: Record<string, unknown>,
  options: {
    jobKey?: string;
    jobKeyMode?: 'replace' | 'preserve_run_at';
    maxAttempts?: number;
    runAt?: SQL;
    queueName?: string;
    priority?: number;
  } = {},
): SQL {
  return sql`select graphile_worker.add_job(
    identifier => ${task}::text,
    payload => ${JSON.stringify(payload)}::json,
    queue_name => ${options.queueName ?? null}::text,
    run_at => (${options.runAt ?? sql`null`})::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    priority => ${options.priority ?? null}::int,
    job_key_mode => ${options.jobKeyMode ?? null}::text
  )`;
}
