import { availableParallelism } from 'node:os';

/**
 * How much of the machine background jobs take. `npm start` serves pages and runs jobs in one
 * process: there the jobs' CPU-heavy work (argon2 hashing, the import's parallel inserts) leaves
 * one core to the requests, so View Accounts stays quick while an import hashes. `npm run worker`
 * (and a bench or test that runs a job alone) serves nothing and takes every core.
 */
export type ProcessRole = 'web-and-jobs' | 'jobs';

export interface JobCpuShare {
  /** Password hashes in flight at once (each one a thread of libuv's pool, one core while it runs). */
  hashConcurrency: number;
  /** Import chunks applied at once, each on its own connection (one Postgres core each). */
  applyConcurrency: number;
}

export function jobCpuShare(role: ProcessRole, cores = availableParallelism()): JobCpuShare {
  // Alone, two hashes in flight per core: a thread never waits for the event loop to hand it the next password.
  if (role === 'jobs') return { hashConcurrency: cores * 2, applyConcurrency: Math.min(2, cores) };
  const spare = Math.max(1, cores - 1);
  return { hashConcurrency: spare, applyConcurrency: Math.min(2, spare) };
}

/**
 * libuv's thread pool (argon2, file reads, dns): a thread per core plus one, at least libuv's own
 * 4. A job's hashes (at most cores - 1 beside the web) then never hold every thread, so a sign-in's
 * verify and the pool's other work are not queued behind an import; alone, a job's hashes still
 * use every core on machines with more than 4.
 */
export function threadPoolSize(cores = availableParallelism()): number {
  return Math.max(4, cores + 1);
}
