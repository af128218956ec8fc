import { Hono } from 'hono';
import { readiness, type RunnerLiveness } from '../../observability/health.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Sql } from '../../db/client.js';
import type { AppEnv } from '../types.js';

/** Same-length strings compared without an early exit, so the token cannot be guessed by timing. */
function sameToken(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}

/**
 * What a load balancer and a scraper ask, with no session and no data: /healthz (the process
 * answers), /readyz (database, migrations, and the job runner's heartbeat where one runs here),
 * and /metrics behind METRICS_TOKEN when the metrics have no port of their own.
 */
export function operationsRoutes(options: { metrics: Metrics | null; runner: RunnerLiveness | null; metricsToken?: string | undefined }) {
  const routes = new Hono<AppEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const result = await readiness(c.get('services').sql, options.runner);
      return c.json({ status: result.ready ? 'ready' : 'not ready', checks: result.checks }, result.ready ? 200 : 503);
    });
  const { metrics, metricsToken } = options;
  if (metrics && metricsToken) {
    routes.get('/metrics', async (c) => {
      const given = c.req.header('authorization')?.match(/^Bearer (.+)$/)?.[1] ?? '';
      if (!sameToken(given, metricsToken)) {
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        return c.text('Send the metrics token as a bearer token (Authorization: Bearer …).', 401);
      }
      return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType });
    });
  }
  return routes;
}

/**
 * The app of the METRICS_PORT server (Node only), which only the scraper and the orchestrator
 * reach: /metrics without a token, and /healthz and /readyz, so a job-runner process that serves
 * no pages can be probed too.
 */
export function operationsPortApp(metrics: Metrics, sql: Sql, runner: RunnerLiveness | null) {
  return new Hono()
    .get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }))
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const result = await readiness(sql, runner);
      return c.json({ status: result.ready ? 'ready' : 'not ready', checks: result.checks }, result.ready ? 200 : 503);
    });
}
