import journal from '../../sql/meta/_journal.json';
import type { Sql } from '../db/client.js';

/**
 * What /healthz and /readyz answer. Health: the process answers. Readiness: the database answers,
 * its migrations are the ones this release ships, and, in a process that runs jobs, the runner's
 * heartbeat is fresh. The answer names each check and says ok or what is wrong; no data.
 */
export interface RunnerLiveness {
  /** When the runner last wrote its heartbeat (ms since the epoch), null before the first. */
  lastBeatAt(): number | null;
  /** Silence after which the runner counts as stuck. */
  staleSeconds: number;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

/** The newest migration of this release (drizzle records each applied one by its journal time). */
const NEWEST_MIGRATION = Math.max(...journal.entries.map((entry) => entry.when));

async function databaseCheck(sql: Sql): Promise<{ database: string; migrations: string }> {
  try {
    const [row] = await sql<{ newest: string | null }[]>`
      select max(created_at)::text as newest from drizzle.__drizzle_migrations`;
    const newest = Number(row?.newest ?? 0);
    return { database: 'ok', migrations: newest >= NEWEST_MIGRATION ? 'ok' : 'behind: run the migrations of this release' };
  } catch {
    return { database: 'not answering', migrations: 'unknown' };
  }
}

function runnerCheck(runner: RunnerLiveness): string {
  const last = runner.lastBeatAt();
  if (last === null) return 'starting';
  const age = (Date.now() - last) / 1000;
  return age <= runner.staleSeconds ? 'ok' : `no heartbeat for ${Math.round(age)} s`;
}

export async function readiness(sql: Sql, runner: RunnerLiveness | null, timeoutMs = 5000): Promise<Readiness> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<{ database: string; migrations: string }>((resolve) => {
    timer = setTimeout(() => resolve({ database: `no answer within ${timeoutMs} ms`, migrations: 'unknown' }), timeoutMs);
  });
  const checks: Record<string, string> = await Promise.race([databaseCheck(sql), timedOut]).finally(() => clearTimeout(timer));
  if (runner) checks.runner = runnerCheck(runner);
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
