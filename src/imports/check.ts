import { sql, type SQL } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import type { DbHandle } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { toUuidArray } from '../accounts/scope.js';
import { assertEditable, getImportBatch, updateImportOptions, type ImportBatch } from './batches.js';
import {
  batchHasGoogleIdsSql,
  chosenGroupCountSql,
  chosenTagsCountSql,
  decideRowsSql,
  markCheckedSql,
  namesMissingSql,
  outcomeCountsSql,
  relabelUpdateChoiceSql,
  skipRowsForSameAccountSql,
  type AnyRow,
  type CountRow,
  type DecidedRow,
  type OutcomeCountsRow,
  type RelabelledRow,
  type SkippedOutcomeRow,
} from './check-sql.js';
import { plannedRowsSql } from './new-names-sql.js';
import { planNewNames, prunePlannedNames, typedTagIds } from './new-names.js';
import { parseImportOptions, type ImportOptions } from './options.js';
import { ANALYZE_STAGED_ROWS } from './stage.js';
import { storedReasons } from './reasons.js';

export interface CheckSummary {
  total: number;
  toCreate: number;
  toUpdate: number;
  toKeep: number;
  toSkip: number;
}

/** What will change on an existing account (the stored "will be updated" reason), from the options chosen; null: nothing. */
export function updateReason(options: ImportOptions): string | null {
  const parts: ('password' | 'group' | 'tags')[] = [];
  if (options.updateExisting.password) parts.push('password');
  if (options.updateExisting.group) parts.push('group');
  if (options.updateExisting.tags) parts.push('tags');
  return parts.length ? storedReasons([{ code: 'willUpdate', parts }]) : null;
}

/**
 * Decides, set-based over the staged rows, what the import will do with each: create, update or
 * keep an existing account, or skip the row with its reason. Existing accounts are matched by
 * Google user id first, then by email ignoring case (DESIGN rule 7). Safe to run again: it starts
 * from the staged data each time. One UPDATE whatever the number of rows.
 */
export async function checkImportBatch(ctx: Ctx, batchId: string): Promise<CheckSummary> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  const { actor } = ctx;
  if (batch.options.accountKind === 'administrator' && !actor.isSystemAdmin) {
    throw new ValidationError('Only system administrators can import administrator accounts.');
  }
  const summary = await ctx.db.transaction(async (tx) => {
    await lockForCheck(tx, batch);
    const groupInScope = groupInScopeSql(actor);
    const tagIds = await assertChosenGroupAndTags(tx, actor, batch.options, groupInScope);
    const [google] = await tx.execute<AnyRow>(batchHasGoogleIdsSql(batch.id));
    const planned = await planNewNames(tx, ctx, batch.id, batch.options);
    const rowTagIds = [...new Set([...tagIds, ...(await typedTagIds(tx, batch.id, actor.organisationId, batch.options))])];
    const [decided] = await tx.execute<DecidedRow>(
      decideRowsSql({
        batchId: batch.id,
        actor,
        options: batch.options,
        tagIds: rowTagIds,
        update: updateReason(batch.options),
        mayCreatePasswordless: batch.hasSharedPassword || batch.options.allowNoPassword,
        withGoogle: google?.any ?? false,
        groupInScope,
        checkedAtMs: Date.now(),
        // Tags and groups as the rows will find them: the organisation's, and those the import will create.
        knownTags: sql`(select id, name from tags where organisation_id = ${actor.organisationId} union all ${plannedRowsSql('new_tags', batch.id)})`,
        knownGroups: sql`(select id, name from groups where organisation_id = ${actor.organisationId} union all ${plannedRowsSql('new_groups', batch.id)})`,
      }),
    );
    // Two rows can share an account only when two matched one; the pass reads the batch's rows.
    const { matched, ...counts } = decided!;
    const skipped = matched > 1 ? await tx.execute<SkippedOutcomeRow>(skipRowsForSameAccountSql(batch.id)) : [];
    const summaryCounts = withSameAccountSkips(counts, skipped);
    await prunePlannedNames(tx, batch.id, batch.options, planned);
    return recordCheckSummary(tx, batch.id, summaryCounts);
  });
  await analyzeCheckedRows(ctx, summary);
  return summary;
}

/**
 * Existing accounts -> Continue when only what to update on them changed: the rows matched to an
 * account switch between update and keep in one small statement, instead of the whole check
 * again. Falls back to the full check when the batch is not checked as it stands.
 */
export async function changeUpdateChoice(
  ctx: Ctx,
  batchId: string,
  updateExisting: ImportOptions['updateExisting'],
): Promise<CheckSummary> {
  const batch = await getImportBatch(ctx, batchId);
  assertEditable(batch);
  const options = parseImportOptions({ ...batch.options, updateExisting });
  const summary = batch.status === 'checked' ? await ctx.db.transaction((tx) => relabelUpdateChoice(tx, batch, options)) : null;
  if (summary) {
    await analyzeCheckedRows(ctx, summary);
    return summary;
  }
  await updateImportOptions(ctx, batch.id, { updateExisting });
  return checkImportBatch(ctx, batch.id);
}

/** Null when the batch changed since it was read (then the caller checks it again in full). */
async function relabelUpdateChoice(tx: DbHandle, batch: ImportBatch, options: ImportOptions): Promise<CheckSummary | null> {
  const [locked] = await tx.execute<{ status: string; options: unknown } & OutcomeCountsRow>(sql`
    select status, options, total_rows as total, to_create as c, to_update as u, to_keep as k, to_skip as s
    from import_batches where id = ${batch.id} for update`);
  if (locked?.status !== 'checked' || JSON.stringify(parseImportOptions(locked.options)) !== JSON.stringify(batch.options)) return null;
  // Tags and groups the import would create were kept or dropped by the choice: those need the full check.
  const [missing] = await tx.execute<AnyRow>(namesMissingSql(batch.id, batch.organisationId));
  if (missing?.any) return null;
  await tx.execute(sql`update import_batches set options = ${JSON.stringify(options)}::jsonb where id = ${batch.id}`);
  const [moved] = await tx.execute<RelabelledRow>(relabelUpdateChoiceSql(batch.id, updateReason(options)));
  // The relabelled rows (every update, and the keeps for want of a choice) all go to update or
  // all to keep: the counts follow from the checked ones without reading the rows again.
  const u = updateReason(options) === null ? 0 : moved!.relabelled;
  return recordCheckSummary(tx, batch.id, { total: locked.total, c: locked.c, s: locked.s, u, k: locked.k + locked.u - u });
}

async function lockForCheck(tx: DbHandle, batch: ImportBatch): Promise<void> {
  const [locked] = await tx.execute<{ status: string }>(sql`select status from import_batches where id = ${batch.id} for update`);
  if (locked?.status !== 'draft' && locked?.status !== 'checked') assertEditable({ ...batch, status: 'running' });
  // The check groups every row a few times (duplicates); in memory rather than on disk.
  await tx.execute(sql`set local work_mem = '64MB'`);
}

function groupInScopeSql(actor: Actor): SQL {
  return actor.isSystemAdmin ? sql`true` : sql`g.id = any(${toUuidArray(actor.managedGroupIds)})`;
}

/** The group and tags chosen for every row must still exist (and the group be the actor's); returns the tags once each. */
async function assertChosenGroupAndTags(tx: DbHandle, actor: Actor, options: ImportOptions, groupInScope: SQL): Promise<string[]> {
  if (options.groupId) {
    const [ok] = await tx.execute<CountRow>(chosenGroupCountSql(options.groupId, actor.organisationId, groupInScope));
    if (ok?.n !== 1)
      throw new ValidationError('The group you chose no longer exists or is not one of yours. Choose another group.', {
        groupId: 'Choose one of your groups.',
      });
  }
  const tagIds = [...new Set(options.tagIds)];
  if (tagIds.length) {
    const [ok] = await tx.execute<CountRow>(chosenTagsCountSql(tagIds, actor.organisationId));
    if (ok?.n !== tagIds.length)
      throw new ValidationError('A tag you chose no longer exists. Choose the tags again.', { tagIds: 'Choose existing tags.' });
  }
  return tagIds;
}

/** The decision's counts, after the rows skipped for sharing an account with an earlier row. */
function withSameAccountSkips(decided: OutcomeCountsRow, skipped: SkippedOutcomeRow[]): OutcomeCountsRow {
  const counts = { ...decided };
  const key = { create: 'c', update: 'u', keep: 'k', skip: 's' } as const;
  for (const row of skipped) {
    counts[key[row.outcome]]--;
    counts.s++;
  }
  return counts;
}

/** Marks the batch checked with its counts: those given, or counted from its rows. */
async function recordCheckSummary(tx: DbHandle, batchId: string, given?: OutcomeCountsRow): Promise<CheckSummary> {
  const counts = given ?? (await tx.execute<OutcomeCountsRow>(outcomeCountsSql(batchId)))[0]!;
  await tx.execute(markCheckedSql(batchId, counts));
  return { total: counts.total, toCreate: counts.c, toUpdate: counts.u, toKeep: counts.k, toSkip: counts.s };
}

/**
 * The run's statements pick a chunk's rows by outcome and join them to their accounts. Every row
 * was just rewritten: without fresh statistics on those columns a plan made for three rows meets
 * thousands (or re-reads a pipeline once per row, as ANALYZE_STAGED_ROWS tells). Outside the
 * transaction, so its lock is not held through the check. When no row matched an account, every
 * chunk statement is a range of the primary key whatever the estimates, and the sample (~50-90 ms
 * for 100k rows) is not taken.
 */
async function analyzeCheckedRows(ctx: Ctx, summary: CheckSummary): Promise<void> {
  if (summary.total >= ANALYZE_STAGED_ROWS && summary.toUpdate + summary.toKeep > 0) {
    await ctx.db.execute(sql`analyze import_rows (batch_id, outcome, account_id)`);
  }
}
