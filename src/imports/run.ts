import { setTimeout } from 'node:timers/promises';
import { sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { loadActor } from '../auth/actor.js';
import { isUniqueViolation } from '../accounts/own-account.js';
import { markNewAccountPagesVisible, queueVacuumWrittenAccountsSql, VACUUM_AFTER_WRITTEN_ACCOUNTS } from '../accounts/vacuum.js';
import { runLimited, mapLimit } from '../concurrency.js';
import type { Ctx, Services } from '../context.js';
import { jobCpuShare, type WebActivity } from '../cpu-share.js';
import type { Tx } from '../db/client.js';
import { ConflictError, DomainError, ValidationError } from '../errors.js';
import { createAssignmentRequest } from '../assignments/request.js';
import { addJobSql } from '../jobs.js';
import { queueEmail } from '../mail/outbox.js';
import { getImportBatch, loadImportBatch, type ImportBatch } from './batches.js';
import { finishedEmail } from './emails.js';
import { createPlannedNames } from './new-names.js';
import { assertPresetPayable } from './preset-cost.js';
import {
  addAccountTagsSql,
  applyStateSql,
  chunkBatchSql,
  chunkStartsSql,
  existingRowsSql,
  goneGroupsSql,
  rowGroupsSql,
  inChunkSql,
  insertNewAccountsSql,
  linkGoogleAccountsSql,
  moveWatermarkSql,
  newAdministratorGroupsSql,
  passwordsToHashSql,
  rowPasswordSql,
  saveHashesSql,
  skipCreatedAfterCheckSql,
  skipGoneGroupRowsSql,
  updateExistingAccountsSql,
  welcomeRecipientsSql,
  type ApplyStateRow,
  type ChunkBatchRow,
  type ChunkRange,
  type ExistingRow,
  type GroupIdRow,
  type IdRow,
  type PasswordRow,
  type RowNumberRow,
} from './run-sql.js';
import { queueWelcomeEmails } from './welcome-emails.js';

/**
 * Import Accounts: hands a checked batch to the run_import job, in the same transaction that marks
 * it queued (no batch without its job). How many passwords the job will hash is fixed here, for
 * the progress bar. A preset the organisation cannot pay for is refused here, before anything is
 * imported, not discovered when the import has finished.
 */
export async function startImport(ctx: Ctx, batchId: string): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  if (batch.status === 'checked') await assertPresetPayable(ctx, batch);
  await ctx.db.transaction(async (tx) => {
    const [locked] = await tx.execute<{ status: string; to_create: number; to_update: number; to_keep: number }>(
      sql`select status, to_create, to_update, to_keep from import_batches where id = ${batch.id} for update`,
    );
    if (locked?.status === 'queued' || locked?.status === 'running' || locked?.status === 'finished') {
      throw new ConflictError('This import has already been started. Its progress is shown on its page.');
    }
    if (locked?.status !== 'checked')
      throw new ValidationError('The rows have changed since they were checked. Continue through the check again, then import.');
    if (locked.to_create + locked.to_update + locked.to_keep === 0) {
      throw new ValidationError('Every row of this import was skipped, so there is nothing to import. Fix the file and start again.');
    }
    const hashPasswords = sql`(r.outcome = 'create' or (r.outcome = 'update' and ${batch.options.updateExisting.password}))`;
    await tx.execute(sql`
      update import_batches set status = 'queued', error = null,
        passwords_to_hash = (select count(*)::int from import_rows r where r.batch_id = ${batch.id} and r.password is not null and ${hashPasswords})
      where id = ${batch.id}`);
    await tx.execute(addJobSql('run_import', { batchId: batch.id }, { jobKey: `run_import:${batch.id}`, maxAttempts: 10 }));
    await recordAudit(tx, ctx.actor, 'import.started', {
      subjectType: 'import_batch',
      subjectId: batch.id,
      details: { source: batch.source },
    });
  });
}

export interface RunImportOptions {
  /** Rows applied per transaction. */
  chunkSize?: number;
  /** Chunks applied at once, on as many connections (they still commit in order). Defaults to the share of a process that only runs jobs. */
  applyConcurrency?: number;
  /** The share of the apply stage's time its chunks may run, resting between them for the rest (JobCpuShare). Defaults to 1. */
  applyBusyShare?: number;
  /** Passwords hashed per committed step. */
  hashChunkSize?: number;
  /** Hashes in flight at once (the native library hashes on libuv's pool). Defaults to the share of a process that only runs jobs. */
  hashConcurrency?: number;
  /** Hashes in flight while `webActivity` shows no request being served (JobCpuShare). */
  idleHashConcurrency?: number;
  /** The requests this process serves beside the job, when it serves any. */
  webActivity?: WebActivity | undefined;
  /** Test seam: runs inside a chunk's transaction, just before it commits. */
  beforeChunkCommit?: (phase: 'hash' | 'apply') => Promise<void> | void;
  /** Test seam: runs after each chunk committed. */
  afterChunk?: (phase: 'hash' | 'apply') => Promise<void> | void;
}

export type RunImportResult = 'finished' | 'failed' | 'not-runnable';

/**
 * The run_import job. Hashes the rows' own passwords, then applies the rows in chunks, each chunk
 * one transaction that also marks its rows applied and adds to the counts. The batch is finished
 * (and the email sent, the preset requested) only in the transaction that finds no row left.
 * Killed at any line, a rerun continues from the last committed chunk.
 */
export async function runImport(services: Services, batchId: string, options: RunImportOptions = {}): Promise<RunImportResult> {
  const batch = await loadImportBatch(services.db, batchId);
  if (!batch || (batch.status !== 'queued' && batch.status !== 'running')) return 'not-runnable';
  const actor = batch.createdBy ? await loadActor(services, batch.createdBy) : null;
  if (actor?.kind !== 'administrator' || actor.organisationId !== batch.organisationId) {
    await failImport(
      services,
      batch.id,
      'The administrator who started this import can no longer import accounts, so it was stopped. Nothing more was changed.',
    );
    return 'failed';
  }
  await services.db.execute(
    sql`update import_batches set status = 'running', started_at = coalesce(started_at, now()) where id = ${batch.id} and status = 'queued'`,
  );
  const ctx: Ctx = { ...services, actor };
  await createPlannedNames(ctx, batch);
  const share = jobCpuShare('jobs');
  await hashRowPasswords(ctx, batch, {
    ...options,
    hashConcurrency: options.hashConcurrency ?? share.hashConcurrency,
    idleHashConcurrency: options.idleHashConcurrency ?? options.hashConcurrency ?? share.idleHashConcurrency,
  });
  await applyRows(ctx, batch, { ...options, applyConcurrency: options.applyConcurrency ?? share.applyConcurrency });
  return (await finishImport(ctx, batch)) ? 'finished' : 'failed';
}

/** Rows of a batch applied so far (for the rows-per-second metric of a run). */
export async function processedRows(services: Pick<Services, 'db'>, batchId: string): Promise<number> {
  const [row] = await services.db.execute<{ processed_rows: number }>(sql`select processed_rows from import_batches where id = ${batchId}`);
  return row?.processed_rows ?? 0;
}

/** Marks a batch failed with a reason a person can act on. Rows already applied stay applied and counted. */
export async function failImport(services: Pick<Services, 'db'>, batchId: string, message: string): Promise<void> {
  await services.db.execute(sql`
    update import_batches set status = 'failed', error = ${message}, finished_at = now()
    where id = ${batchId} and status in ('queued', 'running')`);
  await services.db.execute(sql`update import_rows set password = null where batch_id = ${batchId}`);
}

/** The rows' own passwords, hashed a committed step at a time (a rerun hashes only what is left). */
async function hashRowPasswords(ctx: Ctx, batch: ImportBatch, options: RunImportOptions): Promise<void> {
  // Fixed when the import started: with no row password to hash (a shared one, or none), the
  // search for one would read every row for nothing.
  if (batch.passwordsToHash === 0) return;
  const chunk = options.hashChunkSize ?? 512;
  // Lanes past hashConcurrency hash only while the web serves no request (the core it is left);
  // a waiting lane looks again every few ms, so it stops as soon as the chunk's hashes are done.
  const busyLanes = options.hashConcurrency ?? 1;
  const web = options.webActivity;
  const lanes = web ? Math.max(busyLanes, options.idleHashConcurrency ?? busyLanes) : busyLanes;
  const gate = web
    ? (lane: number) => (lane >= busyLanes && web.serving > 0 ? Promise.race([web.idle(), setTimeout(20)]) : undefined)
    : undefined;
  for (;;) {
    const rows = await ctx.db.execute<PasswordRow>(passwordsToHashSql(batch, chunk));
    if (!rows.length) return;
    const hashes = await mapLimit(rows, lanes, (row) => ctx.passwords.hash(row.password), gate);
    await ctx.db.transaction(async (tx) => {
      const saved = await tx.execute<RowNumberRow>(
        saveHashesSql(
          batch.id,
          rows.map((r) => r.row_number),
          hashes,
        ),
      );
      await tx.execute(sql`update import_batches set passwords_hashed = passwords_hashed + ${saved.length} where id = ${batch.id}`);
      await options.beforeChunkCommit?.('hash');
    });
    await options.afterChunk?.('hash');
  }
}

/**
 * Applies the rows not applied yet, in chunks of row order. Chunks run on `applyConcurrency`
 * connections at once (the account inserts are the costly part and Postgres does them on one core
 * per connection), but each commits only after the one before it has, so the applied rows stay a
 * prefix. If a chunk fails, those after it roll back too, and the job resumes from the prefix.
 */
async function applyRows(ctx: Ctx, batch: ImportBatch, options: RunImportOptions): Promise<void> {
  const ranges = await chunkRanges(ctx, batch.id, options.chunkSize ?? 5000);
  if (!ranges.length) return;
  const groupIds = (await ctx.db.execute<GroupIdRow>(rowGroupsSql(batch.id, ranges[0]!.after))).map((g) => g.group_id);
  // Chunk k waits for chunk k-1's commit; each promise settles when its chunk committed or failed.
  const committed = ranges.map(() => {
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => {});
    return { promise, ...settle };
  });
  const rest = 1 / Math.min(1, Math.max(0.05, options.applyBusyShare ?? 1)) - 1;
  await runLimited(ranges.length, options.applyConcurrency ?? 1, async (k) => {
    try {
      const started = performance.now();
      const applied = await applyChunk(ctx, batch, { range: ranges[k]!, groupIds }, k === 0 ? null : committed[k - 1]!.promise, options);
      committed[k]!.resolve();
      if (!applied) return 'stop';
      await options.afterChunk?.('apply');
      // Beside the web, the connection rests between chunks (nothing is held: the chunk committed).
      // The rest begins by marking the chunk's new pages visible, so the pages the web reads
      // meanwhile (counts, walks in name order) do not visit each new row (markNewAccountPagesVisible).
      if (rest > 0) {
        const restMs = (performance.now() - started) * rest;
        const resting = performance.now();
        // Only an aid to the pages: the import goes on if it fails (the job after the import vacuums again).
        await markNewAccountPagesVisible(ctx).catch((error: unknown) =>
          ctx.logger.warn({ err: error, batchId: batch.id }, 'could not mark the import chunk pages visible'),
        );
        await setTimeout(Math.max(0, restMs - (performance.now() - resting)));
      }
    } catch (error) {
      committed[k]!.reject(error);
      throw error;
    }
  });
}

/** The chunks of rows after the watermark, in row order. */
async function chunkRanges(ctx: Ctx, batchId: string, chunkSize: number): Promise<ChunkRange[]> {
  const [state] = await ctx.db.execute<ApplyStateRow>(applyStateSql(batchId));
  if (!state || state.last === null || state.last <= state.applied_through) return [];
  const last = state.last;
  const starts = await ctx.db.execute<RowNumberRow>(chunkStartsSql(batchId, state.applied_through, chunkSize));
  return starts.map((s, k) => ({
    lo: s.row_number,
    hi: k + 1 < starts.length ? starts[k + 1]!.row_number - 1 : last,
    after: k === 0 ? state.applied_through : s.row_number - 1,
  }));
}

/** What every step of one chunk's transaction works with. */
interface Chunk {
  ctx: Ctx;
  tx: Tx;
  batch: ImportBatch;
  /** The chunk's rows (alias r). */
  rows: SQL;
  /** The password a row's account gets (its own hash or the shared one). */
  password: SQL;
  /** The groups the rows left to apply name, read once for the run. */
  groupIds: string[];
}

/**
 * Applies the next chunk of rows in one transaction. Rows are applied in row order and a chunk
 * commits all of its rows or none, with the batch's watermark (applied_through) and counts, so
 * the applied rows are always a prefix of the batch. Returns false when the batch stopped running.
 */
async function applyChunk(
  ctx: Ctx,
  batch: ImportBatch,
  { range, groupIds }: { range: ChunkRange; groupIds: string[] },
  previous: Promise<void> | null,
  options: RunImportOptions,
): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const [state] = await tx.execute<ChunkBatchRow>(chunkBatchSql(batch.id));
    if (state?.status !== 'running') return false;
    const rows = inChunkSql(batch.id, range);
    const chunk: Chunk = { ctx, tx, batch, rows, password: rowPasswordSql(state.shared), groupIds };
    await skipRowsOfGoneGroups(chunk);
    await createAccounts(chunk);
    await changeExistingAccounts(chunk);
    await tx.execute(addAccountTagsSql(chunk.rows, batch));
    if (batch.options.sendWelcomeEmail && state.welcome) {
      await queueWelcomeEmails(tx, {
        organisationId: batch.organisationId,
        organisationName: state.org_name,
        appUrl: ctx.appUrl,
        recipients: welcomeRecipientsSql(chunk.rows),
      });
    }
    // Commit in row order: wait for the chunk before (its failure fails this one too), then move
    // the watermark only from where that chunk left it.
    if (previous) await previous;
    const moved = await tx.execute<IdRow>(moveWatermarkSql(batch.id, range));
    if (moved.length !== 1)
      throw new Error(
        `import ${batch.id}: chunk ${range.lo}-${range.hi} found the batch moved on; it will be retried from the applied rows`,
      );
    await options.beforeChunkCommit?.('apply');
    return true;
  });
}

/**
 * Groups deleted (or no longer managed) since the check: those rows are skipped, not failed. The
 * run's few distinct groups (read once, not from each chunk's rows) are looked up in each chunk's
 * transaction; the chunk's rows are touched only when one is gone.
 */
async function skipRowsOfGoneGroups({ ctx, tx, batch, rows, groupIds }: Chunk): Promise<void> {
  if (!groupIds.length) return;
  const gone = await tx.execute<GroupIdRow>(goneGroupsSql(groupIds, ctx.actor));
  if (gone.length)
    await tx.execute(
      skipGoneGroupRowsSql(
        rows,
        batch.options.updateExisting.group,
        gone.map((g) => g.group_id),
      ),
    );
}

/**
 * New accounts, with the ids the check chose. A conflict means someone created the account after
 * the check. That is rare, and ON CONFLICT makes every row pay for it (a probe of each unique index
 * before the insert), so the plain insert is tried first under a savepoint and the chunk falls
 * back to ON CONFLICT only when it hit one.
 */
async function createAccounts({ tx, batch, rows, password }: Chunk): Promise<void> {
  try {
    await tx.transaction((savepoint) => savepoint.execute(insertNewAccountsSql({ inChunk: rows, batch, password, onConflict: sql`` })));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await tx.execute(insertNewAccountsSql({ inChunk: rows, batch, password, onConflict: sql`on conflict do nothing` }));
    await tx.execute(skipCreatedAfterCheckSql(rows));
  }
  if (batch.options.accountKind === 'administrator') await tx.execute(newAdministratorGroupsSql(rows));
}

/**
 * Existing accounts: the chunk's rows for them are read first and handed back as arrays, so each
 * statement joins a list of known length to accounts, found by primary key. Joined to import_rows
 * directly, the plan rests on statistics the import itself makes stale (accounts grow faster than
 * they are analyzed). Most imports only create, and then nothing here runs.
 */
async function changeExistingAccounts({ ctx, tx, batch, rows, password }: Chunk): Promise<void> {
  const existing = await tx.execute<ExistingRow>(existingRowsSql(rows));
  if (existing.some((r) => r.outcome === 'update')) {
    const updates = existing.filter((r) => r.outcome === 'update' && r.account_id !== null);
    await tx.execute(updateExistingAccountsSql({ inChunk: rows, batch, actor: ctx.actor, password, rows: updates }));
  }
  const links = existing.filter((r) => r.outcome === 'keep');
  if (links.length) await tx.execute(linkGoogleAccountsSql(ctx.actor, links));
}

/**
 * Finishes the batch when, and only when, no row is left: status, the preset request, the email
 * to the administrator who started it and the audit entry commit together.
 */
async function finishImport(ctx: Ctx, batch: ImportBatch): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const [locked] = await tx.execute<{ status: string; left: number }>(sql`
      select b.status, (select count(*)::int from import_rows r where r.batch_id = b.id and r.row_number > b.applied_through) as left
      from import_batches b where b.id = ${batch.id} for update`);
    if (locked?.status === 'finished') return true;
    if (locked?.status !== 'running' || locked.left > 0) return false;
    await tx.execute(sql`update import_rows set password = null where batch_id = ${batch.id} and password is not null`);
    const [done] = await tx.execute<{ created_count: number; updated_count: number; kept_count: number; skipped_count: number }>(sql`
      update import_batches set status = 'finished', finished_at = now(), file_text = null
      where id = ${batch.id} returning created_count, updated_count, kept_count, skipped_count`);
    const preset = await applyPreset(ctx, batch, tx);
    if (preset.requestId || preset.problem) {
      await tx.execute(
        sql`update import_batches set assignment_request_id = ${preset.requestId}, error = ${preset.problem} where id = ${batch.id}`,
      );
    }
    await queueEmail(
      tx,
      finishedEmail({
        organisationId: ctx.actor.organisationId,
        to: ctx.actor.email,
        firstName: ctx.actor.firstName,
        resultUrl: `${ctx.appUrl}/imports/${batch.id}`,
        source: batch.source,
        created: done!.created_count,
        updated: done!.updated_count,
        kept: done!.kept_count,
        skipped: done!.skipped_count,
      }),
    );
    if (done!.created_count + done!.updated_count >= VACUUM_AFTER_WRITTEN_ACCOUNTS) await tx.execute(queueVacuumWrittenAccountsSql());
    await recordAudit(tx, ctx.actor, 'import.finished', {
      subjectType: 'import_batch',
      subjectId: batch.id,
      details: { created: done!.created_count, updated: done!.updated_count, kept: done!.kept_count, skipped: done!.skipped_count },
    });
    return true;
  });
}

/** The accounts a preset goes to: the ones the import created or updated. */
export function importedAccountsSql(batchId: string): SQL {
  return sql`
    select case when r.outcome = 'create' then r.new_account_id else r.account_id end as account_id
    from import_rows r join import_batches b on b.id = r.batch_id
    where r.batch_id = ${batchId} and r.row_number <= b.applied_through and r.outcome in ('create', 'update')`;
}

/**
 * The Preset Assignment chosen for the import, requested through the assignment engine for the
 * accounts created or updated, in the transaction that finishes the batch. A preset that can no
 * longer be applied (deleted, or a product no longer offered) does not hold the import back: the
 * reason is kept on the batch and shown on its page.
 */
async function applyPreset(ctx: Ctx, batch: ImportBatch, tx: Tx): Promise<{ requestId: string | null; problem: string | null }> {
  if (!batch.options.presetId) return { requestId: null, problem: null };
  const [ids] = await tx.execute<{ ids: string[] }>(
    sql`select coalesce(array_agg(t.account_id), '{}') as ids from (${importedAccountsSql(batch.id)}) t`,
  );
  const accountIds = ids?.ids ?? [];
  if (!accountIds.length) return { requestId: null, problem: null };
  try {
    const { requestId } = await createAssignmentRequest(
      ctx,
      {
        targets: { kind: 'accounts', accountIds },
        presetId: batch.options.presetId,
        origin: batch.source === 'classroom' ? 'classroom' : 'import',
      },
      tx,
    );
    return { requestId, problem: null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { requestId: null, problem: `The preset assignment was not applied: ${error.message}` };
  }
}
