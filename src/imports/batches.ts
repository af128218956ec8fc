import { sql, type SQL } from 'drizzle-orm';
import { arrayLiteral } from '../db/array-literal.js';
import type { Actor, Ctx } from '../context.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { passwordProblem } from '../auth/passwords.js';
import { accountScopeSql, toUuidArray } from '../accounts/scope.js';
import { checkPresetChoice } from './presets.js';
import { parseImportOptions, type ImportOptions, type ImportOptionsInput } from './options.js';
import { paginate } from '../pagination.js';
import { isUuid } from '../ids.js';
import { parseReasons, type RowReason } from './reasons.js';
import { importRowsPageSql, type ImportRowRecord } from './batches-sql.js';

export type ImportSource = 'csv' | 'classroom';
export type ImportStatus = 'draft' | 'checked' | 'queued' | 'running' | 'finished' | 'failed';

export interface ImportBatch {
  id: string;
  organisationId: string;
  createdBy: string | null;
  createdByName: string | null;
  source: ImportSource;
  status: ImportStatus;
  options: ImportOptions;
  hasSharedPassword: boolean;
  sourceState: Record<string, unknown>;
  totalRows: number;
  toCreate: number;
  toUpdate: number;
  toKeep: number;
  toSkip: number;
  passwordsToHash: number;
  passwordsHashed: number;
  processedRows: number;
  appliedThrough: number;
  createdCount: number;
  updatedCount: number;
  keptCount: number;
  skippedCount: number;
  assignmentRequestId: string | null;
  /** Tags and groups the import will create (names the rows use that do not exist yet), as checked. */
  newTags: string[];
  newGroups: string[];
  error: string | null;
  createdAt: Date;
  checkedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Batches the actor may see: its organisation's, and for a group administrator only the ones it
 * started (their rows name accounts of its groups only).
 */
export function batchScopeSql(actor: Actor, alias = 'b'): SQL {
  const b = sql.raw(alias);
  if (actor.isSystemAdmin) return sql`${b}.organisation_id = ${actor.organisationId}`;
  return sql`${b}.organisation_id = ${actor.organisationId} and ${b}.created_by = ${actor.id}`;
}

type BatchRow = {
  id: string;
  organisation_id: string;
  created_by: string | null;
  created_by_name: string | null;
  source: ImportSource;
  status: ImportStatus;
  options: unknown;
  has_shared_password: boolean;
  source_state: Record<string, unknown>;
  total_rows: number;
  to_create: number;
  to_update: number;
  to_keep: number;
  to_skip: number;
  passwords_to_hash: number;
  passwords_hashed: number;
  processed_rows: number;
  applied_through: number;
  created_count: number;
  updated_count: number;
  kept_count: number;
  skipped_count: number;
  assignment_request_id: string | null;
  new_tags: { id: string; name: string }[] | null;
  new_groups: { id: string; name: string }[] | null;
  error: string | null;
  created_at: Date | string;
  checked_at: Date | string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
};

const date = (d: Date | string | null): Date | null => (d === null ? null : d instanceof Date ? d : new Date(d));

function toBatch(row: BatchRow): ImportBatch {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    source: row.source,
    status: row.status,
    options: parseImportOptions(row.options),
    hasSharedPassword: row.has_shared_password,
    sourceState: row.source_state,
    totalRows: row.total_rows,
    toCreate: row.to_create,
    toUpdate: row.to_update,
    toKeep: row.to_keep,
    toSkip: row.to_skip,
    passwordsToHash: row.passwords_to_hash,
    passwordsHashed: row.passwords_hashed,
    processedRows: row.processed_rows,
    appliedThrough: row.applied_through,
    createdCount: row.created_count,
    updatedCount: row.updated_count,
    keptCount: row.kept_count,
    skippedCount: row.skipped_count,
    assignmentRequestId: row.assignment_request_id,
    newTags: (row.new_tags ?? []).map((t) => t.name),
    newGroups: (row.new_groups ?? []).map((g) => g.name),
    error: row.error,
    createdAt: date(row.created_at)!,
    checkedAt: date(row.checked_at),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

const BATCH_COLUMNS = sql`b.id, b.organisation_id, b.created_by, (select a.first_name || ' ' || a.last_name from accounts a where a.id = b.created_by) as created_by_name,
  b.source, b.status, b.options, b.shared_password_hash is not null as has_shared_password, b.source_state,
  b.total_rows, b.to_create, b.to_update, b.to_keep, b.to_skip, b.passwords_to_hash, b.passwords_hashed, b.processed_rows, b.applied_through,
  b.created_count, b.updated_count, b.kept_count, b.skipped_count, b.assignment_request_id, b.new_tags, b.new_groups, b.error,
  b.created_at, b.checked_at, b.started_at, b.finished_at`;

/** Loads a batch without an actor (the job); null when it is gone. */
export async function loadImportBatch(db: Ctx['db'], batchId: string): Promise<ImportBatch | null> {
  if (!isUuid(batchId)) return null;
  const rows = await db.execute<BatchRow>(sql`select ${BATCH_COLUMNS} from import_batches b where b.id = ${batchId}`);
  return rows[0] ? toBatch(rows[0]) : null;
}

/** A batch the actor may see; anything else (another organisation's, a malformed id) is not found. */
export async function getImportBatch(ctx: Ctx, batchId: string): Promise<ImportBatch> {
  if (!isUuid(batchId)) throw new NotFoundError('That import does not exist.');
  const rows = await ctx.db.execute<BatchRow>(
    sql`select ${BATCH_COLUMNS} from import_batches b where b.id = ${batchId} and ${batchScopeSql(ctx.actor)}`,
  );
  if (!rows[0]) throw new NotFoundError('That import does not exist.');
  return toBatch(rows[0]);
}

export async function listImportBatches(
  ctx: Ctx,
  input: { page?: number; pageSize?: number } = {},
): Promise<{ rows: ImportBatch[]; total: number; page: number; pageCount: number }> {
  const pageSize = input.pageSize ?? 25;
  const [count] = await ctx.db.execute<{ n: number }>(
    sql`select count(*)::int as n from import_batches b where ${batchScopeSql(ctx.actor)}`,
  );
  const total = count?.n ?? 0;
  const { page, pageCount, offset } = paginate(total, input.page, pageSize);
  const rows = await ctx.db.execute<BatchRow>(sql`
    select ${BATCH_COLUMNS} from import_batches b where ${batchScopeSql(ctx.actor)}
    order by b.created_at desc, b.id limit ${pageSize} offset ${offset}`);
  return { rows: rows.map(toBatch), total, page, pageCount };
}

export interface ImportOptionsPatch extends ImportOptionsInput {
  /** One password for every account of the batch; hashed once here, never stored as typed. */
  sharedPassword?: string | null;
}

/**
 * Checks options against what the actor may do and the organisation holds; returns them parsed.
 * Ids of groups, tags and presets must be the organisation's (and the actor's groups).
 */
async function validateOptions(ctx: Ctx, options: ImportOptions): Promise<void> {
  const { actor } = ctx;
  if (actor.kind !== 'administrator') throw new ForbiddenError('Only administrators can import accounts.');
  if (options.accountKind === 'administrator' && !actor.isSystemAdmin) {
    throw new ValidationError('Only system administrators can import administrator accounts.', {
      accountKind: 'Only system administrators can import administrator accounts.',
    });
  }
  if (options.createGroups && !actor.isSystemAdmin) {
    throw new ValidationError('Only system administrators can create groups.', {
      createGroups: 'Only system administrators can create groups.',
    });
  }
  if (options.groupId) {
    const groups = actor.isSystemAdmin ? null : actor.managedGroupIds;
    const [row] = await ctx.db.execute<{ n: number }>(sql`
      select count(*)::int as n from groups where id = ${options.groupId} and organisation_id = ${actor.organisationId}
      ${groups ? sql`and id = any(${toUuidArray(groups)})` : sql``}`);
    if (row?.n !== 1) throw new ValidationError('Choose one of your groups.', { groupId: 'Choose one of your groups.' });
  }
  if (options.presetId) await checkPresetChoice(ctx, options.presetId);
  if (options.tagIds.length) {
    const ids = [...new Set(options.tagIds)];
    const [row] = await ctx.db.execute<{ n: number }>(sql`
      select count(*)::int as n from tags where organisation_id = ${actor.organisationId} and id = any(${toUuidArray(ids)})`);
    if (!row || row.n !== ids.length)
      throw new ValidationError('A tag you chose no longer exists. Reload the page and try again.', { tagIds: 'Choose existing tags.' });
  }
}

/** Starts a batch for the actor. The Classroom import and the CSV wizard both begin here. */
export async function createImportBatch(
  ctx: Ctx,
  input: { source: ImportSource; options?: ImportOptionsPatch; sourceState?: Record<string, unknown>; fileText?: string | null },
): Promise<{ id: string }> {
  const { sharedPassword, ...rest } = input.options ?? {};
  const options = parseImportOptions(rest);
  await validateOptions(ctx, options);
  const hash = await hashSharedPassword(ctx, sharedPassword);
  const [row] = await ctx.db.execute<{ id: string }>(sql`
    insert into import_batches (organisation_id, created_by, source, options, shared_password_hash, source_state, file_text)
    values (${ctx.actor.organisationId}, ${ctx.actor.id}, ${input.source}, ${JSON.stringify(options)}::jsonb, ${hash},
            ${JSON.stringify(input.sourceState ?? {})}::jsonb, ${input.fileText ?? null})
    returning id`);
  return { id: row!.id };
}

async function hashSharedPassword(ctx: Ctx, password: string | null | undefined): Promise<string | null> {
  if (!password) return null;
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError(`The password for all accounts is not usable. ${problem}`, { sharedPassword: problem });
  return (await earlierSharedHash(ctx, password)) ?? ctx.passwords.hash(password);
}

/**
 * The hash an earlier import of the organisation stored for this same shared password (its latest
 * few are tried). A roster imported again with the same password then gives its accounts the very
 * hash they already hold, and the run leaves those accounts as they are instead of rewriting every
 * row (and all its index entries) for a new salt. Accounts of one import already share one hash,
 * so sharing it with an earlier import of the same password reveals nothing new.
 */
async function earlierSharedHash(ctx: Ctx, password: string): Promise<string | null> {
  const earlier = await ctx.db.execute<{ hash: string }>(sql`
    select shared_password_hash as hash from import_batches
    where organisation_id = ${ctx.actor.organisationId} and shared_password_hash is not null
    group by shared_password_hash order by max(created_at) desc limit 3`);
  for (const { hash } of earlier) {
    // A hash that cannot be read is simply not reused.
    if (await ctx.passwords.verify(hash, password).catch(() => false)) return hash;
  }
  return null;
}

/**
 * Changes options of a batch still being prepared. Any change sends it back to draft, so Import
 * Accounts needs a fresh check. `sharedPassword: null` removes the shared password; undefined keeps it.
 */
export async function updateImportOptions(ctx: Ctx, batchId: string, patch: ImportOptionsPatch): Promise<ImportOptions> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  const { sharedPassword, ...rest } = patch;
  const options = parseImportOptions({
    ...batch.options,
    ...rest,
    updateExisting: { ...batch.options.updateExisting, ...(rest.updateExisting ?? {}) },
  });
  await validateOptions(ctx, options);
  const hash = sharedPassword === undefined ? undefined : await hashSharedPassword(ctx, sharedPassword);
  await ctx.db.execute(sql`
    update import_batches b set options = ${JSON.stringify(options)}::jsonb, status = 'draft',
      shared_password_hash = ${hash === undefined ? sql`b.shared_password_hash` : sql`${hash}`}
    where b.id = ${batch.id} and b.status in ('draft', 'checked')`);
  return options;
}

/** Replaces the source-specific wizard state (CSV mapping and headers). */
export async function updateImportSourceState(ctx: Ctx, batchId: string, state: Record<string, unknown>): Promise<void> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  await ctx.db.execute(
    sql`update import_batches set source_state = ${JSON.stringify(state)}::jsonb, status = 'draft' where id = ${batch.id}`,
  );
}

export function assertEditable(batch: ImportBatch): void {
  if (batch.status !== 'draft' && batch.status !== 'checked') {
    throw new ConflictError('This import has already started, so its options can no longer change. Start a new import to change them.');
  }
}

/** What the import does with a row (pending until the check). */
export type RowOutcome = ImportRowRecord['outcome'];

export interface ImportRowView {
  rowNumber: number;
  firstName: string;
  lastName: string;
  email: string;
  groupName: string | null;
  tagNames: string[];
  hasPassword: boolean;
  googleUserId: string | null;
  outcome: RowOutcome;
  reason: RowReason[] | null;
  applied: boolean;
  accountId: string | null;
  /** The existing account's values now (null for a new account), to show beside what the file says. */
  current: { groupName: string | null; tagNames: string[] } | null;
}

export const IMPORT_ROWS_PAGE_SIZE = 100;

/** The rows of a batch, a page at a time (100: the verification screen's set), optionally of one outcome. */
export async function listImportRows(
  ctx: Ctx,
  batchId: string,
  input: { page?: number; outcome?: RowOutcome | RowOutcome[]; pageSize?: number; order?: 'row' | 'name' } = {},
): Promise<{ rows: ImportRowView[]; total: number; page: number; pageCount: number }> {
  const batch = await getImportBatch(ctx, batchId);
  const pageSize = input.pageSize ?? IMPORT_ROWS_PAGE_SIZE;
  const outcomes = input.outcome === undefined ? null : Array.isArray(input.outcome) ? input.outcome : [input.outcome];
  const where = sql`r.batch_id = ${batch.id} ${outcomes ? sql`and r.outcome::text = any(${arrayLiteral(outcomes)}::text[])` : sql``}`;
  const [count] = await ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from import_rows r where ${where}`);
  const total = count?.n ?? 0;
  const { page, pageCount, offset } = paginate(total, input.page, pageSize);
  const rows = await ctx.db.execute<ImportRowRecord>(
    importRowsPageSql({ batch, where, reach: accountScopeSql(ctx.actor, 'a'), limit: pageSize, offset, byName: input.order === 'name' }),
  );
  return {
    rows: rows.map(importRowView),
    total,
    page,
    pageCount,
  };
}

function importRowView(r: ImportRowRecord): ImportRowView {
  return {
    rowNumber: r.row_number,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    groupName: r.group_name,
    tagNames: r.tag_names,
    hasPassword: r.has_password,
    googleUserId: r.google_user_id,
    outcome: r.outcome,
    reason: parseReasons(r.reason),
    applied: r.applied,
    accountId: r.account_id,
    current: r.existing ? { groupName: r.current_group_name, tagNames: r.current_tag_names ?? [] } : null,
  };
}
