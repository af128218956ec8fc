import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { nativeArgon2 } from './auth/argon2-native.js';
import type { Services } from './context.js';
import { createDatabase, type Database } from './db/client.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { migrateDatabase } from './db/migrate.js';
import { devMailboxEnabled, type Env } from './env.js';
import type { Mailer } from './mail/mailer.js';
import { createResendMailer } from './mail/resend-mailer.js';
import { generateTokenKey } from './classroom/token-crypto.js';
import type { AppConfig } from './http/types.js';
import { operationsPortApp } from './http/routes/operations.js';
import type { RunnerLiveness } from './observability/health.js';
import { createProcessLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { serve, type ServerType } from '@hono/node-server';

/** Where `npm start` keeps its local state (embedded Postgres files, development keys). */
export const DATA_DIR = path.resolve(process.env.ROSTERBRIDGE_DATA_DIR ?? '.data');

export interface NodeRuntime {
  env: Env;
  databaseUrl: string;
  database: Database;
  services: Services;
  logger: Logger;
  metrics: Metrics;
  mailer: Mailer | null;
  config: AppConfig;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

/**
 * The Node runtime's shared start-up: the database (DATABASE_URL, or an embedded PostgreSQL under
 * .data/ when none is given), migrations, password hashing and the mailer.
 */
export async function startNodeRuntime(
  env: Env,
  options: { migrate?: boolean; log?: (line: string) => void; ownSignals?: boolean; logger?: Logger } = {},
): Promise<NodeRuntime> {
  const log = options.log ?? ((line: string) => console.log(line));
  env = await withTokenKey(env, DATA_DIR, log);
  let embedded: EmbeddedServer | null = null;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    log(`No DATABASE_URL: using the embedded PostgreSQL (data in ${path.join(DATA_DIR, 'postgres')}).`);
    embedded = await startEmbeddedPostgres(path.join(DATA_DIR, 'postgres'), undefined, { ownSignals: options.ownSignals });
    await embedded.ensureDatabase('rosterbridge');
    databaseUrl = embedded.urlFor('rosterbridge');
  }
  if (options.migrate !== false) await migrateDatabase(databaseUrl);
  const database = createDatabase(databaseUrl, { max: 20 });
  const appUrl = env.APP_URL ?? `http://localhost:${env.PORT}`;
  const logger = options.logger ?? createProcessLogger(env.LOG_LEVEL);
  const services: Services = { db: database.db, sql: database.sql, passwords: nativeArgon2, appUrl, logger };
  const metrics = createMetrics({ sql: database.sql });
  const mailer = env.RESEND_API_KEY ? createResendMailer(env.RESEND_API_KEY) : null;
  const require = createRequire(import.meta.url);
  const htmxPath = require.resolve('htmx.org/dist/htmx.min.js');
  let htmx: Promise<string> | undefined;
  const config: AppConfig = {
    env,
    appUrl,
    devMailbox: devMailboxEnabled(env),
    secureCookies: env.SECURE_COOKIES || appUrl.startsWith('https://'),
    htmxSource: () => (htmx ??= readFile(htmxPath, 'utf8')),
  };
  return {
    env,
    databaseUrl,
    database,
    services,
    logger,
    metrics,
    mailer,
    config,
    embedded,
    async close() {
      await database.close();
      if (embedded) await embedded.stop();
    },
  };
}

/**
 * The METRICS_PORT server: /metrics without a token, /healthz and /readyz, on a port that only the
 * scraper and the orchestrator reach. Null when METRICS_PORT is not set.
 */
export function startOperationsServer(runtime: NodeRuntime, runner: RunnerLiveness | null): ServerType | null {
  const port = runtime.env.METRICS_PORT;
  if (!port) return null;
  const app = operationsPortApp(runtime.metrics, runtime.services.sql, runner);
  return serve({ fetch: app.fetch, port }, (info) =>
    runtime.logger.info({ port: info.port }, 'metrics, /healthz and /readyz served on their own port'),
  );
}

/**
 * Refresh tokens need an encryption key. Production must set TOKEN_ENCRYPTION_KEY; elsewhere a
 * development key is made once under .data/ (never committed) and reused on the next start.
 */
export async function withTokenKey(env: Env, dataDir: string, log: (line: string) => void): Promise<Env> {
  if (env.TOKEN_ENCRYPTION_KEY) return env;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'TOKEN_ENCRYPTION_KEY must be set in production (32 random bytes as 64 hex digits or base64): it encrypts Google refresh tokens.',
    );
  }
  const file = path.join(dataDir, 'token-encryption.key');
  let key = await readFile(file, 'utf8')
    .then((s) => s.trim())
    .catch(() => '');
  if (!key) {
    key = generateTokenKey();
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    log(`No TOKEN_ENCRYPTION_KEY: made a development key in ${file}.`);
  }
  return { ...env, TOKEN_ENCRYPTION_KEY: key };
}
