import './thread-pool.js';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { WebActivity } from './cpu-share.js';
import { seedDemoIfEmpty } from './db/seed.js';
import { parseEnv } from './env.js';
import { startNodeRuntime, startOperationsServer } from './node-runtime.js';
import { startRunner } from '../worker/runner.js';

/**
 * `npm start`: the Node runtime. Embedded PostgreSQL unless DATABASE_URL is set, migrations,
 * demo data on first run, the job runner in-process, and the web server on PORT.
 */
const env = parseEnv(process.env);
// Our SIGINT/SIGTERM handlers below stop the runner, then the database (embedded or not), then exit.
const runtime = await startNodeRuntime(env, { ownSignals: true });

const seeded = await seedDemoIfEmpty(runtime.services);
if (seeded) {
  console.log('');
  console.log('Demo organisation created. Sign in as its system administrator:');
  console.log(`  email:    ${seeded.systemAdminEmail}`);
  console.log(`  password: ${seeded.password}`);
  console.log('(Group administrators teacher1..4@maplegrove.test and every demo learner use the same password.)');
  console.log('');
}

// Jobs run beside the pages here, so they leave a core to the requests while any is being served (src/cpu-share.ts).
const webActivity = new WebActivity();
const runner = await startRunner({
  services: runtime.services,
  env: runtime.env,
  mailer: runtime.mailer,
  databaseUrl: runtime.databaseUrl,
  metrics: runtime.metrics,
  role: 'web-and-jobs',
  webActivity,
});
const app = createApp({
  config: runtime.config,
  services: () => runtime.services,
  metrics: runtime.metrics,
  runner: runner.liveness,
  webActivity,
});
const operations = startOperationsServer(runtime, runner.liveness);
const server = serve({ fetch: app.fetch, port: env.PORT }, (info) => {
  console.log(`Rosterbridge is running at ${runtime.config.appUrl} (port ${info.port}).`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping. Running jobs finish first.`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  operations?.close();
  await runner.stop();
  await runtime.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
