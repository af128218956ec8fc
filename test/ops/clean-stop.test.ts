import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * Ctrl-C in a terminal sends SIGINT to the whole process group (npm, node, and anything they
 * started); an orchestrator sends SIGTERM. Either way a real `npm start` / `npm run worker` must
 * let the running job finish, close its connections and exit 0 without an error line or a stack.
 */

const cleanUp: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanUp.reverse()) await step().catch(() => {});
});

interface Started {
  pid: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** `npm run <script>` in a process group of its own, as a terminal would run it. */
async function npmRun(script: 'start' | 'worker', env: Record<string, string>, ready: RegExp, unset: string[] = []): Promise<Started> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    PORT: String(await freePort()),
    ...env,
  };
  for (const name of unset) delete childEnv[name];
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  cleanUp.push(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  const deadline = Date.now() + 90_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm run ${script} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid!, output: () => output, exited };
}

/**
 * Makes a job that takes as long as the test likes: clean_up_sessions waits on a lock the test
 * holds on `sessions`. Returns when a runner has taken the job, with the function that lets it go on.
 */
async function slowJob(url: string): Promise<{ jobId: string; release: () => Promise<number>; sql: postgres.Sql }> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const holder = await sql.reserve();
  await holder`begin`;
  await holder`lock table sessions in access exclusive mode`;
  const [job] = await sql<
    { id: string }[]
  >`select id::text from graphile_worker.add_job('clean_up_sessions', job_key => 'clean-stop-test')`;
  for (let i = 0; ; i++) {
    const [row] = await sql<{ locked: boolean }[]>`select locked_at is not null as locked from graphile_worker.jobs where id = ${job!.id}`;
    if (row?.locked) break;
    if (i > 300) throw new Error('no runner took the job');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    jobId: job!.id,
    sql,
    release: async () => {
      await holder`commit`;
      holder.release();
      return Date.now();
    },
  };
}

/**
 * Sends `signal` to the group while the job runs, lets the job finish a moment later, and checks
 * the stop. `reopen`: the database went with the process (embedded); start it again to look.
 */
async function stopDuringJob(started: Started, url: string, signal: 'SIGINT' | 'SIGTERM', reopen?: () => Promise<string>) {
  const job = await slowJob(url);
  process.kill(-started.pid, signal);
  await new Promise((r) => setTimeout(r, 1500));
  const stillRunning = await Promise.race([started.exited.then(() => false), Promise.resolve(true)]);
  expect(stillRunning, 'the process waits for its running job').toBe(true);
  const releasedAt = await job.release();
  const exit = await started.exited;
  const output = started.output();
  expect(exit, output).toMatchObject({ code: 0, signal: null });
  expect(exit.at).toBeGreaterThanOrEqual(releasedAt);
  expect(output).toMatch(/"task":"clean_up_sessions".*"outcome":"success".*"msg":"job run"/);
  for (const bad of [/Unhandled/i, /terminating connection/i, /"level":"(error|fatal)"/, /\bError\b/, /^\s+at .+:\d+:\d+\)?$/m]) {
    expect(output, `output matches ${bad}`).not.toMatch(bad);
  }
  await job.sql.end();
  // Finished jobs are deleted; none is left locked by the stopped runner.
  const sql = postgres(reopen ? await reopen() : url, { max: 1, onnotice: () => {} });
  try {
    expect(
      await sql`select id, task_identifier, locked_at from graphile_worker.jobs where id = ${job.jobId} or locked_at is not null`,
    ).toEqual([]);
  } finally {
    await sql.end();
  }
}

async function externalDatabase() {
  const db = await createTestDatabase();
  cleanUp.push(() => db.drop());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'rb-stop-'));
  cleanUp.push(() => rm(dataDir, { recursive: true, force: true }));
  return { url: db.url, env: { DATABASE_URL: db.url, ROSTERBRIDGE_DATA_DIR: dataDir } };
}

describe('a clean stop on a signal to the process group', () => {
  it('npm start with DATABASE_URL: SIGINT lets the running job finish and exits 0 quietly', async () => {
    const { url, env } = await externalDatabase();
    const started = await npmRun('start', env, /is running at/);
    await stopDuringJob(started, url, 'SIGINT');
  });

  it('npm run worker with DATABASE_URL: SIGTERM lets the running job finish and exits 0 quietly', async () => {
    const { url, env } = await externalDatabase();
    const started = await npmRun('worker', env, /job runner started/);
    await stopDuringJob(started, url, 'SIGTERM');
  });

  it('npm start on the embedded PostgreSQL: SIGINT stops the job runner before the database, then the database', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rb-stop-embedded-'));
    await chmod(dataDir, 0o755); // run as root, PostgreSQL runs as the postgres user, who must reach its files
    cleanUp.push(() => rm(dataDir, { recursive: true, force: true }));
    const started = await npmRun('start', { ROSTERBRIDGE_DATA_DIR: dataDir }, /is running at/, ['DATABASE_URL']);
    const cluster = path.join(dataDir, 'postgres');
    const port = (await readFile(path.join(cluster, 'postmaster.pid'), 'utf8')).split('\n')[3];
    await stopDuringJob(started, `postgres://postgres:postgres@127.0.0.1:${port}/rosterbridge`, 'SIGINT', async () => {
      // The cluster was stopped by us, last, and cleanly: its pid file is gone and it starts again.
      await expect(readFile(path.join(cluster, 'postmaster.pid'))).rejects.toThrow();
      const again = await startEmbeddedPostgres(cluster, () => {}, { ownSignals: true });
      cleanUp.push(() => again.stop());
      return again.urlFor('rosterbridge');
    });
  });
});
