import { availableParallelism } from 'node:os';
import { sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit.js';
import { loadActor } from '../auth/actor.js';
import { isUniqueViolation } from '../accounts/own-account.js';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import type { Ctx, Services } from '../context.js';
import { arrayLiteral } from '../db/array-literal.js';
import type { Db } from '../db/client.js';
import { ConflictError, DomainError, ValidationError } from '../errors.js';
import { createAssignmentRequest } from '../assignments/request.js';
import { createPlannedNames } from './new-names.js';
import { addJobSql } from '../jobs.js';
import { queueEmail } from '../mail/outbox.js';
import { getImportBatch, loadImportBatch, type ImportBatch } from './batches.js';
import { finishedEmail } from './emails.js';
import { queueWelcomeEmails } from './welcome-emails.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Import Accounts: hands a checked batch to the run_import job, in the same transaction that marks
 * it queued (no batch without its job). How many passwords the job will hash is fixed here, for
 * the progress bar.
 */
export async function startImport(ctx: Ctx, batchId: string): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  await ctx.db.transaction(async (tx) => {
    const [locked] = await tx.execute<{ status: string; to_create: number; to_update: number; to_keep: number }>(
      sql`select status, to_create, to_update, to_keep from import_batches where id = ${batch.id} for update`,
    );
    if (locked?.status === 'queued' || locked?.status === 'running' || locked?.status === 'finished') {
      throw new ConflictError('This import has already been started. Its progress is shown on its page.');
    }
    if (locked?.status !== 'checked') throw new ValidationError('The rows have changed since they were checked. Continue through the check again, then import.');
    if (locked.to_create + locked.to_update + locked.to_keep === 0) {
      throw new ValidationError('Every row of this import was skipped, so there is nothing to import. Fix the file and start again.');
    }
    const hashPasswords = sql`(r.outcome = 'create' or (r.outcome = 'update' and ${batch.options.updateExisting.password}))`;
    await tx.execute(sql`
      update import_batches set status = 'queued', error = null,
        passwords_to_hash = (select count(*)::int from import_rows r where r.batch_id = ${batch.id} and r.password is not null and ${hashPasswords})
      where id = ${batch.id}`);
    await tx.execute(addJobSql('run_import', { batchId: batch.id }, { jobKey: `run_import:${batch.id}`, maxAttempts: 10 }));
    await recordAudit(tx, ctx.actor, 'import.started', { subjectType: 'import_batch', subjectId: batch.id, details: { source: batch.source } });
  });
}

export interface RunImportOptions {
  /** Rows applied per transaction. */
  chunkSize?: number;
  /** Chunks applied at once, on as many connections (they still commit in order). */
  applyConcurrency?: number;
  /** Passwords hashed per committed step. */
  hashChunkSize?: number;
  /** Hashes in flight at once; defaults to the cores (the native library hashes on libuv's pool). */
  hashConcurrency?: number;
  /** Test seam: runs inside a chunk's transaction, just before it commits. */
  beforeChunkCommit?: (phase: 'hash' | 'apply') => Promise<void> | void;
  /** Test seam: runs after each chunk committed. */
  afterChunk?: (phase: 'hash' | 'apply') => Promise<void> | void;
}

export type RunImportResult = 'finished' | 'failed' | 'not-runnable';

/**
 * The run_import job. Hashes the rows' own passwords (every core), then applies the rows in
 * chunks, each chunk one transaction that also marks its rows applied and adds to the counts. The
 * batch is finished (and the email sent, the preset requested) only in the transaction that finds
 * no row left. Killed at any line, a rerun continues from the last committed chunk.
 */
export async function runImport(services: Services, batchId: string, options: RunImportOptions = {}): Promise<RunImportResult> {
  const batch = await loadImportBatch(services.db, batchId);
  if (!batch || (batch.status !== 'queued' && batch.status !== 'running')) return 'not-runnable';
  const actor = batch.createdBy ? await loadActor(services, batch.createdBy) : null;
  if (!actor || actor.kind !== 'administrator' || actor.organisationId !== batch.organisationId) {
    await failImport(services, batch.id, 'The administrator who started this import can no longer import accounts, so it was stopped. Nothing more was changed.');
    return 'failed';
  }
  await services.db.execute(sql`update import_batches set status = 'running', started_at = coalesce(started_at, now()) where id = ${batch.id} and status = 'queued'`);
  const ctx: Ctx = { ...services, actor };
  await createPlannedNames(ctx, batch);
  await hashRowPasswords(ctx, batch, options);
  await applyRows(ctx, batch, options);
  return (await finishImport(ctx, batch)) ? 'finished' : 'failed';
}

interface ChunkRange {
  lo: number;
  hi: number;
  /** The watermark the batch must show when this chunk commits: the previous chunk's last row. */
  after: number;
}

/**
 * Applies the rows not applied yet, in chunks of row order. Chunks run on `applyConcurrency`
 * connections at once (the account inserts are the costly part and Postgres does them on one core
 * per connection), but each commits only after the one before it has, so the applied rows stay a
 * prefix. If a chunk fails, those after it roll back too, and the job resumes from the prefix.
 */
async function applyRows(ctx: Ctx, batch: ImportBatch, options: RunImportOptions): Promise<void> {
  const chunkSize = options.chunkSize ?? 5000;
  const concurrency = Math.max(1, options.applyConcurrency ?? Math.min(2, availableParallelism()));
  const [state] = await ctx.db.execute<{ applied_through: number; last: number | null }>(sql`
    select b.applied_through, (select max(row_number) from import_rows r where r.batch_id = b.id) as last
    from import_batches b where b.id = ${batch.id}`);
  if (!state || state.last === null || state.last <= state.applied_through) return;
  const starts = await ctx.db.execute<{ row_number: number }>(sql`
    select row_number from (
      select row_number, row_number() over (order by row_number) as i
      from import_rows where batch_id = ${batch.id} and row_number > ${state.applied_through}) r
    where (r.i - 1) % ${chunkSize} = 0 order by row_number`);
  const ranges: ChunkRange[] = starts.map((s, k) => ({
    lo: s.row_number,
    hi: k + 1 < starts.length ? starts[k + 1]!.row_number - 1 : state.last!,
    after: k === 0 ? state.applied_through : starts[k]!.row_number - 1,
  }));
  // Chunk k waits for chunk k-1's commit; each promise settles when its chunk committed or failed.
  const committed = ranges.map(() => {
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => {});
    return { promise, ...settle };
  });
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < ranges.length) {
      const k = next++;
      try {
        const applied = await applyChunk(ctx, batch, ranges[k]!, k === 0 ? null : committed[k - 1]!.promise, options);
        if (!applied) stop = true;
        committed[k]!.resolve();
        if (applied) await options.afterChunk?.('apply');
      } catch (error) {
        stop = true;
        committed[k]!.reject(error);
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, ranges.length) }, worker));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
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

async function hashRowPasswords(ctx: Ctx, batch: ImportBatch, options: RunImportOptions): Promise<void> {
  const chunk = options.hashChunkSize ?? 512;
  // Two in flight per core: a thread never waits for the event loop to hand it the next password.
  // The native binding hashes on libuv's pool (UV_THREADPOOL_SIZE, 4 unless the entry raises it).
  const concurrency = Math.max(1, options.hashConcurrency ?? availableParallelism() * 2);
  const needs = sql`r.batch_id = ${batch.id} and r.password is not null and r.password_hash is null
    and (r.outcome = 'create' or (r.outcome = 'update' and ${batch.options.updateExisting.password}))`;
  for (;;) {
    const rows = await ctx.db.execute<{ row_number: number; password: string }>(
      sql`select r.row_number, r.password from import_rows r where ${needs} order by r.row_number limit ${chunk}`,
    );
    if (!rows.length) return;
    const hashes = new Array<string>(rows.length);
    let next = 0;
    // A pool of `concurrency` hashes in flight keeps every core busy until the chunk's last one.
    await Promise.all(
      Array.from({ length: Math.min(concurrency, rows.length) }, async () => {
        while (next < rows.length) {
          const i = next++;
          hashes[i] = await ctx.passwords.hash(rows[i]!.password);
        }
      }),
    );
    await ctx.db.transaction(async (tx) => {
      const updated = await tx.execute<{ row_number: number }>(sql`
        update import_rows r set password_hash = u.hash, password = null
        from unnest(${`{${rows.map((r) => r.row_number).join(',')}}`}::int[], ${arrayLiteral(hashes)}::text[]) as u(n, hash)
        where r.batch_id = ${batch.id} and r.row_number = u.n and r.password_hash is null
        returning r.row_number`);
      await tx.execute(sql`update import_batches set passwords_hashed = passwords_hashed + ${updated.length} where id = ${batch.id}`);
      await options.beforeChunkCommit?.('hash');
    });
    await options.afterChunk?.('hash');
  }
}

/**
 * Applies the next chunk of rows in one transaction. Rows are applied in row order and a chunk
 * commits all of its rows or none, with the batch's watermark (applied_through) and counts, so
 * the applied rows are always a prefix of the batch. Returns false when no row is left.
 */
async function applyChunk(ctx: Ctx, batch: ImportBatch, range: ChunkRange, previous: Promise<void> | null, options: RunImportOptions): Promise<boolean> {
  const { actor } = ctx;
  const id = batch.id;
  const opts = batch.options;
  return ctx.db.transaction(async (tx) => {
    const [locked] = await tx.execute<{ status: string; shared: string | null; welcome: boolean; org_name: string; applied_through: number }>(sql`
      select b.status, b.shared_password_hash as shared, o.welcome_email_enabled as welcome, o.name as org_name, b.applied_through
      from import_batches b join organisations o on o.id = b.organisation_id where b.id = ${id}`);
    if (locked?.status !== 'running') return false;
    const inChunk = sql`r.batch_id = ${id} and r.row_number between ${range.lo} and ${range.hi}`;
    const managed = actor.isSystemAdmin ? null : toUuidArray(actor.managedGroupIds);
    const upd = opts.updateExisting;

    // Groups deleted (or no longer managed) since the check: those rows are skipped, not failed.
    // The chunk's few distinct groups are looked up first; the rows are touched only when one is gone.
    const gone = await tx.execute<{ group_id: string }>(sql`
      select d.group_id from (select distinct r.group_id from import_rows r where ${inChunk} and r.group_id is not null) d
      where not exists (select 1 from groups g where g.id = d.group_id and g.organisation_id = ${actor.organisationId} ${managed ? sql`and g.id = any(${managed})` : sql``})`);
    if (gone.length) {
      await tx.execute(sql`
        update import_rows r set outcome = 'skip',
          reason = 'The group ' || coalesce('"' || r.group_name || '" ', '') || 'was deleted or is no longer one of yours since the check, so this row was skipped.'
        where ${inChunk} and (r.outcome = 'create' or (r.outcome = 'update' and ${upd.group})) and r.group_id = any(${toUuidArray(gone.map((g) => g.group_id))})`);
    }

    // New accounts, with the ids the check chose. A conflict means someone created the account
    // after the check. That is rare, and ON CONFLICT makes every row pay for it (a probe of each
    // unique index before the insert), so the plain insert is tried first under a savepoint and
    // the chunk falls back to ON CONFLICT only when it hit one.
    const passwordSql = sql`coalesce(r.password_hash, ${locked.shared}::text)`;
    const insertNew = (onConflict: SQL) => sql`
      insert into accounts (id, organisation_id, kind, first_name, last_name, email, password_hash, must_change_password, group_id, google_user_id, source)
      select r.new_account_id, ${actor.organisationId}, ${opts.accountKind}::account_kind, r.first_name, r.last_name, r.email, ${passwordSql},
             ${opts.mustChangePassword} and ${passwordSql} is not null, r.group_id, r.google_user_id, ${batch.source}::account_source
      from import_rows r
      where ${inChunk} and r.outcome = 'create'
      order by r.row_number
      ${onConflict}`;
    try {
      await tx.transaction((savepoint) => savepoint.execute(insertNew(sql``)));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await tx.execute(insertNew(sql`on conflict do nothing`));
      await tx.execute(sql`
        update import_rows r set outcome = 'skip',
          reason = 'An account with this email or Google account was created after the check, so this row was skipped. Import it again to update that account.'
        where ${inChunk} and r.outcome = 'create' and not exists (select 1 from accounts a where a.id = r.new_account_id)`);
    }
    if (opts.accountKind === 'administrator') {
      await tx.execute(sql`
        insert into administrator_groups (account_id, group_id)
        select r.new_account_id, r.group_id from import_rows r where ${inChunk} and r.outcome = 'create' and r.group_id is not null
        on conflict do nothing`);
    }

    // Existing accounts: the chunk's rows for them are read first and handed back as arrays, so
    // each statement joins a list of known length to accounts, found by primary key. Joined to
    // import_rows directly, the plan rests on statistics the import itself makes stale (accounts
    // grow faster than they are analyzed): one re-import of 100k rows ran for 87 s that way.
    // Most imports only create, and then nothing below runs.
    // (An update row's account_id is null when the account was deleted since the check: it is
    // read all the same, so the row is skipped below rather than counted as updated.)
    const existing = await tx.execute<{ outcome: 'update' | 'keep'; account_id: string | null; password_hash: string | null; group_id: string | null; google_user_id: string | null }>(sql`
      select r.outcome, r.account_id, r.password_hash, r.group_id, r.google_user_id from import_rows r
      where ${inChunk} and (r.outcome = 'update' or (r.outcome = 'keep' and r.google_user_id is not null and r.account_id is not null))`);
    const updates = existing.filter((r) => r.outcome === 'update' && r.account_id !== null);
    const links = existing.filter((r) => r.outcome === 'keep');
    const googleFree = sql`(r.google_user_id is null or not exists (select 1 from accounts x where x.organisation_id = ${actor.organisationId} and x.google_user_id = r.google_user_id and x.id <> a.id))`;

    // Existing accounts chosen for an update, re-checked against the actor's reach now.
    if (existing.some((r) => r.outcome === 'update')) {
      const newPassword = sql`(${upd.password} and ${passwordSql} is not null)`;
      const ids = arrayLiteral(updates.map((u) => u.account_id));
      await tx.execute(sql`
        with r as (
          select * from unnest(${ids}::uuid[], ${arrayLiteral(updates.map((u) => u.password_hash))}::text[],
                               ${arrayLiteral(updates.map((u) => u.group_id))}::uuid[], ${arrayLiteral(updates.map((u) => u.google_user_id))}::text[])
            as r(account_id, password_hash, group_id, google_user_id)),
        u as (
          update accounts a set
            password_hash = case when ${newPassword} then ${passwordSql} else a.password_hash end,
            must_change_password = case when ${newPassword} then ${opts.mustChangePassword} else a.must_change_password end,
            group_id = case when ${upd.group} and r.group_id is not null then r.group_id else a.group_id end,
            google_user_id = case when ${googleFree} then coalesce(a.google_user_id, r.google_user_id) else a.google_user_id end,
            updated_at = now()
          from r
          where a.id = r.account_id and a.id = any(${ids}::uuid[])
            and ${accountScopeSql(actor, 'a')} and a.kind::text = ${opts.accountKind} and not a.is_system_admin
          returning a.id, ${newPassword} as new_password),
        -- A new password ends the account's sessions, as changing it on Your Account does.
        signed_out as (delete from sessions s using u where u.new_password and s.account_id = u.id)
        update import_rows r set outcome = 'skip',
          reason = 'The account changed after the check (deleted, moved or made an administrator), so it was left as it is.'
        where ${inChunk} and r.outcome = 'update' and (r.account_id is null or r.account_id not in (select id from u))`);
    }

    // Tags: added to new accounts, and to updated ones when chosen; a tag deleted since the check is left out.
    await tx.execute(sql`
      insert into account_tags (account_id, tag_id)
      select case when r.outcome = 'create' then r.new_account_id else r.account_id end, t.tag_id
      from import_rows r cross join lateral unnest(r.tag_ids) as t(tag_id)
      join tags tg on tg.id = t.tag_id and tg.organisation_id = ${actor.organisationId}
      where ${inChunk} and cardinality(r.tag_ids) > 0 and (r.outcome = 'create' or (r.outcome = 'update' and ${upd.tags}))
      on conflict do nothing`);

    // Accounts left as they are still get linked to their Google account when they have none.
    if (links.length) {
      const ids = arrayLiteral(links.map((l) => l.account_id));
      await tx.execute(sql`
        update accounts a set google_user_id = r.google_user_id
        from unnest(${ids}::uuid[], ${arrayLiteral(links.map((l) => l.google_user_id))}::text[]) as r(account_id, google_user_id)
        where a.id = r.account_id and a.id = any(${ids}::uuid[])
          and a.google_user_id is null and ${accountScopeSql(actor, 'a')} and ${googleFree}`);
    }

    if (opts.sendWelcomeEmail && locked.welcome) {
      await queueWelcomeEmails(tx, {
        organisationId: actor.organisationId,
        organisationName: locked.org_name,
        appUrl: ctx.appUrl,
        recipients: sql`select r.email, r.first_name from import_rows r where ${inChunk} and r.outcome = 'create' order by r.row_number`,
      });
    }

    // Commit in row order: wait for the chunk before (its failure fails this one too), then move
    // the watermark only from where that chunk left it.
    if (previous) await previous;
    const moved = await tx.execute<{ id: string }>(sql`
      update import_batches b set applied_through = ${range.hi},
        processed_rows = b.processed_rows + s.n, created_count = b.created_count + s.c, updated_count = b.updated_count + s.u,
        kept_count = b.kept_count + s.k, skipped_count = b.skipped_count + s.s
      from (
        select count(*)::int as n, count(*) filter (where outcome = 'create')::int as c, count(*) filter (where outcome = 'update')::int as u,
          count(*) filter (where outcome = 'keep')::int as k, count(*) filter (where outcome = 'skip')::int as s
        from import_rows r where ${inChunk}) s
      where b.id = ${id} and b.applied_through = ${range.after} and b.status = 'running'
      returning b.id`);
    if (moved.length !== 1) throw new Error(`import ${id}: chunk ${range.lo}-${range.hi} found the batch moved on; it will be retried from the applied rows`);
    await options.beforeChunkCommit?.('apply');
    return true;
  });
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
      await tx.execute(sql`update import_batches set assignment_request_id = ${preset.requestId}, error = ${preset.problem} where id = ${batch.id}`);
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
  const [ids] = await tx.execute<{ ids: string[] }>(sql`select coalesce(array_agg(t.account_id), '{}') as ids from (${importedAccountsSql(batch.id)}) t`);
  const accountIds = ids?.ids ?? [];
  if (!accountIds.length) return { requestId: null, problem: null };
  try {
    const { requestId } = await createAssignmentRequest(
      ctx,
      { targets: { kind: 'accounts', accountIds }, presetId: batch.options.presetId, origin: batch.source === 'classroom' ? 'classroom' : 'import' },
      tx,
    );
    return { requestId, problem: null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { requestId: null, problem: `The preset assignment was not applied: ${error.message}` };
  }
}
