import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import argon2 from 'argon2';
import { loadActor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import {
  checkImportBatch,
  createImportBatch,
  getImportBatch,
  runImport,
  stageImportRows,
  startImport,
  type ImportRowInput,
} from '../../src/imports/engine.js';
import { parseEnv } from '../../src/env.js';
import { startRunner } from '../../worker/runner.js';
import { useTestDatabase } from '../helpers/database.js';
import { createOrganisation, type OrgFixture } from '../helpers/fixtures.js';

const db = useTestDatabase();
let org: OrgFixture;
let ctx: Ctx;
const child = fileURLToPath(new URL('./helpers/run-import-child.ts', import.meta.url));
const runnerChild = fileURLToPath(new URL('./helpers/run-worker-child.ts', import.meta.url));

beforeAll(async () => {
  org = await createOrganisation(db.services, { name: 'Killed', tags: ['Grade 9'] });
  ctx = { ...db.services, actor: (await loadActor(db.services, org.systemAdmin.id))! };
});

function startWorker(batchId: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', child, db.url, batchId], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Polls the batch until `ready` says the worker is mid-way, then kills it with SIGKILL (no clean-up possible). */
async function killWhen(worker: ChildProcess, batchId: string, ready: (b: Awaited<ReturnType<typeof getImportBatch>>) => boolean) {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  for (let i = 0; i < 1500; i++) {
    const batch = await getImportBatch(ctx, batchId);
    if (ready(batch)) {
      worker.kill('SIGKILL');
      await exited;
      return;
    }
    if (batch.status === 'finished') throw new Error('the worker finished before it could be killed');
    await sleep(20);
  }
  worker.kill('SIGKILL');
  throw new Error('the worker never reached the point to kill it');
}

async function preparedBatch(rows: ImportRowInput[]) {
  const { id } = await createImportBatch(ctx, {
    source: 'csv',
    options: { groupId: org.groups.North!, tagIds: [org.tags['Grade 9']!], sharedPassword: 'shared-secret-1' },
  });
  await stageImportRows(ctx, id, rows);
  await checkImportBatch(ctx, id);
  await startImport(ctx, id);
  return id;
}

async function accountsLike(pattern: string) {
  const [row] = await db.services.sql<{ n: number; distinct_emails: number; tagged: number }[]>`
    select count(*)::int as n, count(distinct lower(email))::int as distinct_emails,
      count(*) filter (where exists (select 1 from account_tags t where t.account_id = a.id))::int as tagged
    from accounts a where a.organisation_id = ${org.organisationId} and a.email like ${pattern}`;
  return row!;
}

describe('run_import killed with SIGKILL and run again', () => {
  it('in the middle of creating accounts: never shown finished, then exactly the right accounts', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      rowNumber: i + 2,
      firstName: `K${i}`,
      lastName: 'Ill',
      email: `kill${i}@killed.test`,
    }));
    const id = await preparedBatch(rows);
    await killWhen(startWorker(id), id, (b) => b.processedRows >= 500);
    const killed = await getImportBatch(ctx, id);
    expect(killed.status).toBe('running');
    expect(killed.processedRows).toBeLessThan(3000);
    // Counts and accounts commit together: what the page shows is exactly what exists.
    expect((await accountsLike('kill%@killed.test')).n).toBe(killed.createdCount);

    expect(await runImport(db.services, id)).toBe('finished');
    const done = await getImportBatch(ctx, id);
    expect([done.status, done.createdCount, done.processedRows]).toEqual(['finished', 3000, 3000]);
    expect(await accountsLike('kill%@killed.test')).toEqual({ n: 3000, distinct_emails: 3000, tagged: 3000 });
    const [mail] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox_emails where subject like 'Batch import finished%' and text_body like ${`%${id}%`}`;
    expect(mail!.n).toBe(1);
  });

  it("in the middle of hashing the rows' own passwords: resumes without losing or redoing a hash", async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      rowNumber: i + 2,
      firstName: `H${i}`,
      lastName: 'Ash',
      email: `hash${i}@killed.test`,
      password: `own-password-${i}`,
    }));
    const id = await preparedBatch(rows);
    await killWhen(startWorker(id), id, (b) => b.passwordsHashed >= 16);
    const killed = await getImportBatch(ctx, id);
    expect(killed.status).toBe('running');
    expect(killed.passwordsHashed).toBeLessThan(120);
    expect((await accountsLike('hash%@killed.test')).n).toBe(0);

    expect(await runImport(db.services, id)).toBe('finished');
    const done = await getImportBatch(ctx, id);
    expect([done.status, done.createdCount, done.passwordsHashed]).toEqual(['finished', 120, 120]);
    for (const i of [0, 17, 119]) {
      const [a] = await db.services.sql<
        { password_hash: string }[]
      >`select password_hash from accounts where email = ${`hash${i}@killed.test`}`;
      expect(await argon2.verify(a!.password_hash, `own-password-${i}`)).toBe(true);
    }
    const [plain] = await db.services.sql<
      { n: number }[]
    >`select count(*)::int as n from import_rows where batch_id = ${id} and password is not null`;
    expect(plain!.n).toBe(0);
  });

  it('as a queued job whose runner was killed: another runner takes the job up within seconds, not hours', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      rowNumber: i + 2,
      firstName: `Q${i}`,
      lastName: 'Ueued',
      email: `queued${i}@killed.test`,
      password: `own-password-${i}`,
    }));
    const id = await preparedBatch(rows);
    // A whole runner process takes the job from the queue; killed, it leaves the job locked.
    const worker = spawn(process.execPath, ['--import', 'tsx', runnerChild, db.url], { stdio: ['ignore', 'ignore', 'inherit'] });
    await killWhen(worker, id, (b) => b.passwordsHashed >= 8);
    const [locked] = await db.services.sql<{ locked_by: string | null }[]>`
      select j.locked_by from graphile_worker.jobs j where j.task_identifier = 'run_import' and j.key = ${`run_import:${id}`}`;
    expect(locked!.locked_by).toMatch(/^(pool|worker)-/);
    expect((await getImportBatch(ctx, id)).status).toBe('running');

    // A runner started afterwards sees the killed one's heartbeat go stale, releases its lock and finishes the import.
    const env = parseEnv({ NODE_ENV: 'test', WORKER_CONCURRENCY: '1', WORKER_HEARTBEAT_SECONDS: '1', WORKER_STALE_SECONDS: '3' });
    const runner = await startRunner({ services: db.services, env, mailer: null, databaseUrl: db.url });
    try {
      for (let i = 0; i < 300 && (await getImportBatch(ctx, id)).status !== 'finished'; i++) await sleep(100);
    } finally {
      await runner.stop();
    }
    const done = await getImportBatch(ctx, id);
    expect([done.status, done.createdCount, done.passwordsHashed]).toEqual(['finished', 120, 120]);
    expect(await accountsLike('queued%@killed.test')).toEqual({ n: 120, distinct_emails: 120, tagged: 120 });
    const [heartbeats] = await db.services.sql<{ n: number }[]>`select count(*)::int as n from worker_heartbeats`;
    expect(heartbeats!.n).toBe(0);
  });
});
