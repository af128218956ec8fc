import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx, Services } from '../../src/context.js';
import { jobCpuShare, WebActivity } from '../../src/cpu-share.js';
import { seedOrganisation } from '../../src/db/seed.js';
import { getImportBatch } from '../../src/imports/batches.js';
import { saveCsvExistingOptions, saveCsvFieldOptions, saveCsvMapping, uploadCsv } from '../../src/imports/csv/wizard.js';
import { runImport, startImport, type RunImportOptions } from '../../src/imports/run.js';
import { viewAccountsRequests, type ViewAccountsRequest } from './accounts-search.js';
import type { BenchContext, BenchModule } from './bench-context.js';
import { percentiles, round } from './bench-context.js';
import { makeFile } from './csv-import.js';

const RATE = 20;
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 15);

interface PhaseResult {
  times: number[];
  /** The same times by request path (BENCH_VERBOSE prints their percentiles). */
  byPath: Map<string, number[]>;
  errors: number;
  seconds: number;
}

/**
 * An open-loop load: a request every 1/RATE s whatever the answers do (fifty administrators
 * clicking every 2.5 s), each timed from when it was due, so a slow server cannot slow the load
 * down and hide its own delay. Ends after `seconds`, or earlier when `until` settles; then waits
 * for the requests in flight.
 */
async function openLoop(base: string, requests: ViewAccountsRequest[], seconds: number, until?: Promise<unknown>): Promise<PhaseResult> {
  let ended = false;
  void until?.finally(() => (ended = true));
  const times: number[] = [];
  const byPath = new Map<string, number[]>();
  let errors = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (let i = 0; !ended; i++) {
    const due = start + (i * 1000) / RATE;
    if (due - start >= seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (ended) break;
    const r = requests[i % requests.length]!;
    const request = (async () => {
      try {
        const res = await fetch(base + r.path, { headers: r.headers, signal: AbortSignal.timeout(10_000) });
        await res.text();
        if (res.status === 200) {
          const ms = performance.now() - due;
          times.push(ms);
          byPath.set(r.path, [...(byPath.get(r.path) ?? []), ms]);
        } else errors++;
      } catch {
        errors++;
      }
    })();
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  const seconds_ = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  return { times, byPath, errors, seconds: seconds_ };
}

/** Uploads a file into the organisation and takes it through the wizard to a started import (not yet run). */
async function preparedImport(ctx: Ctx, groupId: string, bytes: Uint8Array, withPasswords: boolean): Promise<string> {
  const { id } = await uploadCsv(ctx, { bytes, fileName: 'load.csv', accountKind: 'user', sendWelcomeEmail: false, presetId: null });
  await saveCsvMapping(
    ctx,
    id,
    withPasswords ? ['firstName', 'lastName', 'email', 'tag', 'password'] : ['firstName', 'lastName', 'email', 'tag'],
  );
  await saveCsvFieldOptions(ctx, id, {
    password: withPasswords ? '' : 'Shared-bench-1',
    confirmPassword: withPasswords ? '' : 'Shared-bench-1',
    mustChangePassword: true,
    groupId,
    tagIds: [],
  });
  await saveCsvExistingOptions(ctx, id, { password: false, group: false, tags: false });
  await startImport(ctx, id);
  return id;
}

async function hashed(services: Services, batchId: string): Promise<number> {
  const [row] = await services.sql<{ n: number }[]>`select passwords_hashed as n from import_batches where id = ${batchId}`;
  return row!.n;
}

/** Fails the bench unless the import finished with exactly the accounts (and hashes) of its file. */
async function expectFinished(ctx: Ctx, batchId: string, rows: number, hashes: number): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  if (batch.status !== 'finished' || batch.createdCount !== rows || batch.passwordsHashed !== hashes) {
    throw new Error(
      `import ${batchId}: ${batch.status}, ${batch.createdCount} of ${rows} accounts, ${batch.passwordsHashed} of ${hashes} hashes`,
    );
  }
}

function figures(name: string, phase: PhaseResult): Record<string, number> {
  const { p50, p95, p99 } = percentiles(phase.times);
  if (process.env.BENCH_VERBOSE) {
    for (const [path, times] of phase.byPath) {
      const each = percentiles(times);
      console.error(`${name} ${path.slice(0, 60)} p50 ${each.p50} p95 ${each.p95} n ${times.length}`);
    }
  }
  return {
    [`${name}_p50_ms`]: p50,
    [`${name}_p95_ms`]: p95,
    [`${name}_p99_ms`]: p99,
    [`${name}_requests`]: phase.times.length + phase.errors,
  };
}

/**
 * accounts_under_load: View Accounts of a 100k organisation over real HTTP on loopback, served
 * the way `npm start` serves it (pages and jobs in one process, jobs taking their web-and-jobs
 * share), at a fixed 20 requests/s, in three phases: idle; while a file with per-row passwords is
 * hashed; while a 100k shared-password import applies its rows. BENCH_HASH_ROWS (20000) sets the
 * size of the hashing import; the phase measures its first PHASE_SECONDS either way.
 */
export const accountsUnderLoadBench: BenchModule = {
  async run(bench: BenchContext) {
    const { services } = bench;
    const hashRows = Number(process.env.BENCH_HASH_ROWS ?? 20_000);
    const applyRows = Number(process.env.BENCH_APPLY_ROWS ?? 100_000);
    const seeded = await seedOrganisation(services, { name: 'Load District', domain: 'load.test', accounts: 100_000 });
    await services.sql`vacuum analyze`;
    const [admin] = await services.sql<{ id: string }[]>`select id from accounts where email = ${seeded.systemAdminEmail}`;
    const [group] = await services.sql<
      { id: string }[]
    >`select id from groups where organisation_id = ${seeded.organisationId} order by name limit 1`;
    const ctx: Ctx = { ...services, actor: (await loadActor(services, admin!.id))! };
    // As `npm start` wires them: the jobs see the requests in flight.
    const webActivity = new WebActivity();
    const { app, requests } = await viewAccountsRequests(services, seeded, webActivity);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // BENCH_JOB_SHARE=jobs runs the imports with every core instead, to compare the two shares.
    const share: RunImportOptions = {
      ...jobCpuShare(process.env.BENCH_JOB_SHARE === 'jobs' ? 'jobs' : 'web-and-jobs'),
      webActivity,
    };
    // BENCH_APPLY_BUSY_SHARE tries another rest between the apply's chunks.
    if (process.env.BENCH_APPLY_BUSY_SHARE) share.applyBusyShare = Number(process.env.BENCH_APPLY_BUSY_SHARE);
    // BENCH_HASH_CONCURRENCY tries another number of hashes in flight beside the web.
    if (process.env.BENCH_HASH_CONCURRENCY) share.hashConcurrency = share.idleHashConcurrency = Number(process.env.BENCH_HASH_CONCURRENCY);
    try {
      await openLoop(base, requests, 2); // warms connections, caches and prepared plans
      const idle = await openLoop(base, requests, PHASE_SECONDS);

      // The idle hashing rate, measured as csv_import_passwords_2k does (rows over the job's time, every core).
      const idleRows = 300;
      const idleId = await preparedImport(ctx, group!.id, makeFile(idleRows, true, 'idle-hash.test'), true);
      const tIdle = performance.now();
      await runImport(services, idleId, jobCpuShare('jobs'));
      const idleRate = idleRows / ((performance.now() - tIdle) / 1000);
      await expectFinished(ctx, idleId, idleRows, idleRows);

      const hashId = await preparedImport(ctx, group!.id, makeFile(hashRows, true, 'hash-load.test'), true);
      // Committed 32 hashes at a time, so the phase's rate is read closely (the job's own step is 512).
      const hashRun = runImport(services, hashId, { ...share, hashChunkSize: 32 });
      const hashedBefore = await hashed(services, hashId);
      const tHash = performance.now();
      const hashing = await openLoop(base, requests, PHASE_SECONDS, hashRun);
      const hashRate = ((await hashed(services, hashId)) - hashedBefore) / ((performance.now() - tHash) / 1000);
      if ((await hashRun) !== 'finished') throw new Error('the hashing import did not finish');
      await expectFinished(ctx, hashId, hashRows, hashRows);

      const applyId = await preparedImport(ctx, group!.id, makeFile(applyRows, false, 'apply-load.test'), false);
      const tApply = performance.now();
      const applyRun = runImport(services, applyId, share);
      const apply = await openLoop(base, requests, PHASE_SECONDS, applyRun);
      if ((await applyRun) !== 'finished') throw new Error('the apply import did not finish');
      const applySeconds = (performance.now() - tApply) / 1000;
      await expectFinished(ctx, applyId, applyRows, 0);

      bench.print({
        bench: 'accounts_under_load',
        ...figures('idle', idle),
        ...figures('hashing', hashing),
        ...figures('apply', apply),
        errors: idle.errors + hashing.errors + apply.errors,
        hashing_rate_ratio: round(hashRate / idleRate),
        hashing_hashes_per_s: round(hashRate, 1),
        idle_hashes_per_s: round(idleRate, 1),
        hash_concurrency: share.hashConcurrency!,
        idle_hash_concurrency: share.idleHashConcurrency!,
        apply_concurrency: share.applyConcurrency!,
        apply_busy_share: share.applyBusyShare!,
        apply_phase_seconds: round(apply.seconds),
        apply_import_seconds: round(applySeconds),
        hash_rows: hashRows,
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  },
};
