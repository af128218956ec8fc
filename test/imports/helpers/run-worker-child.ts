/**
 * A whole job runner in a process of its own, for the test that kills a runner in the middle of
 * an import: the real graphile-worker run() with our task list and heartbeats (short ones, so the
 * test need not wait 90 s). argv: databaseUrl.
 */
import { nativeArgon2 } from '../../../src/auth/argon2-native.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createDatabase } from '../../../src/db/client.js';
import { parseEnv } from '../../../src/env.js';
import { startRunner } from '../../../worker/runner.js';

const [url] = process.argv.slice(2);
const database = createDatabase(url!, { max: 4 });
const services = {
  db: database.db,
  sql: database.sql,
  passwords: nativeArgon2,
  appUrl: 'http://rosterbridge.test',
  logger: createLogger({ level: 'silent' }),
};
const env = parseEnv({ NODE_ENV: 'test', WORKER_CONCURRENCY: '1', WORKER_HEARTBEAT_SECONDS: '1', WORKER_STALE_SECONDS: '3' });
const runner = await startRunner({ services, env, mailer: null, databaseUrl: url! });
await runner.promise;
