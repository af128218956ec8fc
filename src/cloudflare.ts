import { createApp } from './app.js';
import { createWasmArgon2 } from './auth/argon2-wasm.js';
import type { Services } from './context.js';
import { createDatabase, type Database } from './db/client.js';
import { devMailboxEnabled, parseEnv } from './env.js';
import { createLogger, type Logger } from './observability/logger.js';
// Bundled as text by the [[rules]] entry in wrangler.toml, so htmx is served from our origin here too.
import htmxSource from 'htmx.org/dist/htmx.min.js';
// Compiled by wrangler at bundle time: a Worker may not compile WebAssembly from bytes.
import argon2Simd from '../node_modules/argon2id/dist/simd.wasm';
import argon2NoSimd from '../node_modules/argon2id/dist/no-simd.wasm';

const wasmArgon2 = createWasmArgon2({ simd: argon2Simd, noSimd: argon2NoSimd });
// One logger per isolate. Workers collect console output (wrangler tail, Logpush): one JSON line each.
let logger: Logger | undefined;

/**
 * The web tier as a Cloudflare Worker. Postgres comes through the Hyperdrive binding, one
 * client per request (Hyperdrive pools the real connections). Jobs are enqueued by SQL inside
 * the same transactions as on Node; the job runner itself always runs on Node (`npm run worker`).
 */
interface WorkerBindings {
  HYPERDRIVE: { connectionString: string };
  [key: string]: unknown;
}

interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(request: Request, bindings: WorkerBindings, execution: ExecutionContextLike): Promise<Response> {
    const vars = Object.fromEntries(Object.entries(bindings).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const env = parseEnv({ NODE_ENV: 'production', ...vars });
    const appUrl = env.APP_URL ?? new URL(request.url).origin;
    logger ??= createLogger({ level: env.LOG_LEVEL, write: (line) => console.log(line) });
    let database: Database | undefined;
    const app = createApp({
      config: {
        env,
        appUrl,
        devMailbox: devMailboxEnabled(env),
        secureCookies: true,
        htmxSource: () => htmxSource,
      },
      services: (): Services => {
        database ??= createDatabase(bindings.HYPERDRIVE.connectionString, { max: 5 });
        return { db: database.db, sql: database.sql, passwords: wasmArgon2, appUrl, logger: logger! };
      },
    });
    try {
      return await app.fetch(request, bindings, execution as never);
    } finally {
      if (database) execution.waitUntil(database.close());
    }
  },
};
