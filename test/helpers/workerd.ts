import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A port nobody listens on right now (the kernel picks it), for a server started next. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface WranglerDev {
  origin: string;
  /** Everything wrangler and workerd printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev --local`: the Worker entry in workerd (shipped in the npm package, so offline),
 * with the Hyperdrive binding pointed at `databaseUrl`. No telemetry, no prompts, state in a
 * temporary folder.
 */
export async function startWranglerDev(databaseUrl: string, options: { readyTimeoutMs?: number } = {}): Promise<WranglerDev> {
  const port = await freePort();
  const home = await mkdtemp(path.join(tmpdir(), 'rb-wrangler-'));
  const url = new URL(databaseUrl);
  // Wrangler insists on a password in a Hyperdrive connection string; a trust-auth server ignores it.
  if (!url.password) url.password = 'unused';
  const child = spawn(
    path.resolve('node_modules/.bin/wrangler'),
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      '0',
      '--persist-to',
      path.join(home, 'state'),
      '--log-level',
      'info',
      '--show-interactive-dev-session=false',
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        CI: 'true',
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG_PATH: path.join(home, 'logs'),
        XDG_CONFIG_HOME: path.join(home, 'config'),
        CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: url.toString(),
        NO_COLOR: '1',
      },
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const stop = async () => {
    await stopProcessGroup(child);
    await rm(home, { recursive: true, force: true });
  };
  try {
    await waitForReady(`http://127.0.0.1:${port}`, child, options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return { origin: `http://127.0.0.1:${port}`, output: () => output, stop };
}

async function waitForReady(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    const answered = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
      (res) => res.status < 500,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`wrangler dev did not answer within ${timeoutMs} ms`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const killed = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(killed);
}
