import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.js';
import { operationsPortApp } from '../../src/http/routes/operations.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { TestClient } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { runDueJobs } from '../helpers/jobs.js';
import { capturingLogger, observedApp } from './observability-helpers.js';

const db = useTestDatabase();
const TOKEN = 'metrics-token-for-tests-0123456789';

beforeAll(async () => {
  await createOrganisation(db.services, { name: 'Probe' });
});

const freshRunner = { lastBeatAt: () => Date.now(), staleSeconds: 90 };

describe('/healthz and /readyz', () => {
  it('answer without a session and without data', async () => {
    const app = observedApp(db, capturingLogger().logger, { deps: { runner: freshRunner } });
    const health = await app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await app.request('/readyz');
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', runner: 'ok' } });
    expect(ready.headers.getSetCookie()).toEqual([]);
  });

  it('is not ready when the runner stopped beating', async () => {
    const stale = { lastBeatAt: () => Date.now() - 600_000, staleSeconds: 90 };
    const res = await observedApp(db, capturingLogger().logger, { deps: { runner: stale } }).request('/readyz');
    expect(res.status).toBe(503);
    expect((await res.json()).checks.runner).toMatch(/^no heartbeat for \d+ s$/);
  });

  it('is not ready when the database lacks this release’s migrations', async () => {
    const [newest] = await db.services.sql<
      { id: number; created_at: string }[]
    >`select id, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
    await db.services.sql`update drizzle.__drizzle_migrations set created_at = 1 where id = ${newest!.id}`;
    try {
      const res = await observedApp(db, capturingLogger().logger).request('/readyz');
      expect(res.status).toBe(503);
      expect((await res.json()).checks).toEqual({ database: 'ok', migrations: 'behind: run the migrations of this release' });
    } finally {
      await db.services.sql`update drizzle.__drizzle_migrations set created_at = ${newest!.created_at} where id = ${newest!.id}`;
    }
  });
});

describe('/metrics', () => {
  it('is not served without METRICS_TOKEN or METRICS_PORT', async () => {
    const res = await observedApp(db, capturingLogger().logger, { deps: { metrics: createMetrics({ sql: db.services.sql }) } }).request(
      '/metrics',
    );
    expect(res.status).toBe(404);
  });

  it('asks for the bearer token, then serves requests, jobs, the queue, sign-in failures in Prometheus text', async () => {
    const metrics = createMetrics({ sql: db.services.sql });
    const env = parseEnv({ NODE_ENV: 'test', METRICS_TOKEN: TOKEN });
    const app = observedApp(db, capturingLogger().logger, { config: { env }, deps: { metrics } });
    expect((await app.request('/metrics')).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer wrong-token-wrong-token-000' } })).status).toBe(401);

    const client = new TestClient(app);
    await client.get('/sign-in');
    await client.post('/sign-in', { email: 'admin@probe.test', password: 'not-the-password' });
    await db.services.sql`select graphile_worker.add_job('clean_up_sessions', '{}'::json)`;
    await runDueJobs(db, { metrics });
    await db.services.sql`select graphile_worker.add_job('send_email', json_build_object('id', 'not-a-uuid'), max_attempts => 1)`;
    await runDueJobs(db, { metrics });
    await db.services.sql`select graphile_worker.add_job('clean_up_imports', '{}'::json, run_at => now())`;

    const res = await app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/rosterbridge_http_request_duration_seconds_count\{route="\/sign-in",method="POST",status="400"\} 1/);
    expect(text).toMatch(/rosterbridge_job_runs_total\{task="clean_up_sessions",outcome="success"\} 1/);
    expect(text).toMatch(/rosterbridge_job_failures_total\{task="send_email"\} 1/);
    expect(text).toMatch(/rosterbridge_jobs_failed_permanently\{task="send_email"\} 1/);
    expect(text).toMatch(/rosterbridge_jobs_ready\{task="clean_up_imports"\} 1/);
    expect(text).toMatch(/rosterbridge_sign_in_failures_total\{reason="wrong_credentials"\} 1/);
    expect(text).not.toContain('probe.test');
  });

  it('serves /metrics without a token on the METRICS_PORT app, with /healthz and /readyz', async () => {
    const metrics = createMetrics({ sql: db.services.sql });
    metrics.googleCall('classroom.googleapis.com/v1/courses', 429, false);
    const app = operationsPortApp(metrics, db.services.sql, freshRunner);
    const text = await (await app.request('/metrics')).text();
    expect(text).toContain('rosterbridge_google_rate_limited_total{endpoint="classroom.googleapis.com/v1/courses"} 1');
    expect((await app.request('/readyz')).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
  });
});
