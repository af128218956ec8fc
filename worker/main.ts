import '../src/thread-pool.js';
import { parseEnv } from '../src/env.js';
import { startNodeRuntime, startOperationsServer } from '../src/node-runtime.js';
import { startRunner } from './runner.js';

/** `npm run worker`: the job runner alone. Run as many as you like against one Postgres. */
const env = parseEnv(process.env);
// Our SIGINT/SIGTERM handlers below stop the runner, then the database (embedded or not), then exit.
const runtime = await startNodeRuntime(env, { ownSignals: true });
const runner = await startRunner({
  services: runtime.services,
  env: runtime.env,
  mailer: runtime.mailer,
  databaseUrl: runtime.databaseUrl,
  metrics: runtime.metrics,
  role: 'jobs',
});
// With METRICS_PORT, this process answers /metrics, /healthz and /readyz (its heartbeat) there.
const operations = startOperationsServer(runtime, runner.liveness);
runtime.logger.info('job runner started');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing running jobs, then stopping.`);
  operations?.close();
  await runner.stop();
  await runtime.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
await runner.promise;
