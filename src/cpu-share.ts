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
  /**
   * Hashes in flight while the process serves no request (WebActivity): beside the web, the core
   * left to the requests hashes too while nobody is waiting for a page.
   */
  idleHashConcurrency: number;
  /** Import chunks applied at once, each on its own connection (one Postgres core each). */
  applyConcurrency: number;
  /**
   * The share of the apply stage's wall time its chunks may run: after a chunk that took t, the
   * import rests t * (1 / share - 1) before the next one (1: no rest).
   */
  applyBusyShare: number;
}

/** Measured with accounts_under_load (see the README's bench figures). */
const APPLY_BUSY_SHARE_BESIDE_WEB = 0.5;

export function jobCpuShare(role: ProcessRole, cores = availableParallelism()): JobCpuShare {
  // Alone, two hashes in flight per core: a thread never waits for the event loop to hand it the next password.
  if (role === 'jobs')
    return { hashConcurrency: cores * 2, idleHashConcurrency: cores * 2, applyConcurrency: Math.min(2, cores), applyBusyShare: 1 };
  const spare = Math.max(1, cores - 1);
  const applyConcurrency = Math.min(2, spare);
  // The apply's connections keep their cores busy, and the server works for them besides (WAL,
  // index upkeep, autovacuum of the rows they wrote). When that leaves the web no core of its own,
  // the apply rests between chunks.
  const applyBusyShare = spare > applyConcurrency ? 1 : APPLY_BUSY_SHARE_BESIDE_WEB;
  return { hashConcurrency: spare, idleHashConcurrency: Math.max(spare, cores), applyConcurrency, applyBusyShare };
}

/**
 * The requests a process is serving right now. The web counts them in and out (its first
 * middleware); background work in the same process reads it to use the core it leaves the
 * requests only while none is being served (JobCpuShare.idleHashConcurrency). Measured with
 * accounts_under_load on 2 cores: one hash in flight kept half the idle hashing rate (0.47-0.53,
 * the target's edge); two at all times kept 0.79 and raised the pages' p95 to 1.5x idle.
 */
export class WebActivity {
  #serving = 0;
  #idle: { promise: Promise<void>; resolve: () => void } | null = null;

  begin(): void {
    this.#serving++;
  }

  end(): void {
    this.#serving = Math.max(0, this.#serving - 1);
    if (this.#serving > 0 || !this.#idle) return;
    this.#idle.resolve();
    this.#idle = null;
  }

  /** Requests in flight. */
  get serving(): number {
    return this.#serving;
  }

  /** Settles once no request is being served (at once when none is). */
  idle(): Promise<void> {
    if (this.#serving === 0) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }
}

/**
 * libuv's thread pool (argon2, file reads, dns): a thread per core plus one, at least libuv's own
 * 4. A job's hashes beside the web (one per core at most, and one fewer while requests are served)
 * then never hold every thread, so a sign-in's verify and the pool's other work are not queued
 * behind an import; alone, a job's hashes still use every core on machines with more than 4.
 */
export function threadPoolSize(cores = availableParallelism()): number {
  return Math.max(4, cores + 1);
}
