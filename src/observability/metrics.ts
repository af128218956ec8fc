import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sql } from '../db/client.js';

/**
 * The service's Prometheus metrics, one registry per process (prom-client). Recorded by the
 * request middleware, the job runner's wrapper, the Google transport wrapper, the import task and
 * the sign-in route; the queue is read from graphile-worker's tables when scraped. Labels are
 * route patterns, task names and endpoint names only: no ids, no personal data.
 */
export interface Metrics {
  readonly contentType: string;
  request(route: string, method: string, status: number, seconds: number): void;
  jobRun(task: string, outcome: 'success' | 'failure', seconds: number): void;
  googleCall(endpoint: string, status: number, retry: boolean): void;
  importRows(rows: number, seconds: number): void;
  signInFailure(reason: 'wrong_credentials' | 'locked'): void;
  /** The text a scraper reads. */
  render(): Promise<string>;
}

interface QueueRow {
  task: string;
  ready: number;
  locked: number;
  failed: number;
}

/** graphile-worker's queue by task: ready to run now, locked by a runner, and out of attempts. */
async function readQueue(sql: Sql): Promise<QueueRow[]> {
  return sql<QueueRow[]>`
    select t.identifier as task,
      count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= now())::int as ready,
      count(*) filter (where j.locked_at is not null)::int as locked,
      count(*) filter (where j.attempts >= j.max_attempts)::int as failed
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    group by t.identifier`;
}

/**
 * Every series the service exports, registered in `registry`.
 * Long because it is one declaration per series (name, help, labels, buckets), with no logic between them.
 */
function defineSeries(registry: Registry) {
  const requests = new Histogram({
    name: 'rosterbridge_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'rosterbridge_job_runs_total',
    help: 'Job runs by task and outcome.',
    labelNames: ['task', 'outcome'],
    registers: [registry],
  });
  const jobFailures = new Counter({
    name: 'rosterbridge_job_failures_total',
    help: 'Job runs that threw, by task (graphile-worker retries them).',
    labelNames: ['task'],
    registers: [registry],
  });
  const jobDurations = new Histogram({
    name: 'rosterbridge_job_duration_seconds',
    help: 'Job run durations by task.',
    labelNames: ['task'],
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  const googleCalls = new Counter({
    name: 'rosterbridge_google_calls_total',
    help: 'Requests to Google by endpoint and status (0: no response).',
    labelNames: ['endpoint', 'status'],
    registers: [registry],
  });
  const googleRetries = new Counter({
    name: 'rosterbridge_google_retries_total',
    help: 'Requests to Google that repeated a failed one.',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const google429 = new Counter({
    name: 'rosterbridge_google_rate_limited_total',
    help: 'Requests Google answered with 429 (rate limited).',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const importRows = new Counter({
    name: 'rosterbridge_import_rows_total',
    help: 'Import rows applied (rate() gives rows per second).',
    registers: [registry],
  });
  const importRate = new Gauge({
    name: 'rosterbridge_import_rows_per_second',
    help: 'Rows per second of the last import run in this process.',
    registers: [registry],
  });
  const signInFailures = new Counter({
    name: 'rosterbridge_sign_in_failures_total',
    help: 'Failed sign-ins by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const queue = {
    ready: new Gauge({
      name: 'rosterbridge_jobs_ready',
      help: 'Jobs waiting to run now, by task.',
      labelNames: ['task'],
      registers: [registry],
    }),
    locked: new Gauge({
      name: 'rosterbridge_jobs_locked',
      help: 'Jobs a runner holds (running), by task.',
      labelNames: ['task'],
      registers: [registry],
    }),
    failed: new Gauge({
      name: 'rosterbridge_jobs_failed_permanently',
      help: 'Jobs out of attempts, by task.',
      labelNames: ['task'],
      registers: [registry],
    }),
  };
  return {
    requests,
    jobRuns,
    jobFailures,
    jobDurations,
    googleCalls,
    googleRetries,
    google429,
    importRows,
    importRate,
    signInFailures,
    queue,
  };
}

export function createMetrics(options: { sql?: Sql } = {}): Metrics {
  const registry = new Registry();
  const {
    requests,
    jobRuns,
    jobFailures,
    jobDurations,
    googleCalls,
    googleRetries,
    google429,
    importRows,
    importRate,
    signInFailures,
    queue,
  } = defineSeries(registry);

  async function collectQueue(): Promise<void> {
    if (!options.sql) return;
    const rows = await readQueue(options.sql);
    for (const gauge of Object.values(queue)) gauge.reset();
    for (const row of rows) {
      queue.ready.set({ task: row.task }, row.ready);
      queue.locked.set({ task: row.task }, row.locked);
      queue.failed.set({ task: row.task }, row.failed);
    }
  }

  return {
    contentType: registry.contentType,
    request(route, method, status, seconds) {
      requests.observe({ route, method, status: String(status) }, seconds);
    },
    jobRun(task, outcome, seconds) {
      jobRuns.inc({ task, outcome });
      if (outcome === 'failure') jobFailures.inc({ task });
      jobDurations.observe({ task }, seconds);
    },
    googleCall(endpoint, status, retry) {
      googleCalls.inc({ endpoint, status: String(status) });
      if (retry) googleRetries.inc({ endpoint });
      if (status === 429) google429.inc({ endpoint });
    },
    importRows(rows, seconds) {
      importRows.inc(rows);
      if (seconds > 0) importRate.set(rows / seconds);
    },
    signInFailure(reason) {
      signInFailures.inc({ reason });
    },
    async render() {
      await collectQueue();
      return registry.metrics();
    },
  };
}
